/**
 * A small valid instance of a JSON schema, for the `input` of a fake `tool_use` block: objects
 * with their required properties, strings, numbers within their minimum, booleans, arrays of
 * `minItems`, the first `enum`/`const` value, the first branch of `anyOf`/`oneOf`, and local
 * `$ref`s (`#/$defs/…`, `#/definitions/…`). Nesting is bounded, so a recursive schema ends.
 */
const MAX_DEPTH = 32;

type Schema = Record<string, unknown>;

export function schemaInstance(schema: unknown): unknown {
  return instanceOf(schema, isObject(schema) ? schema : {}, 0);
}

function instanceOf(schema: unknown, root: Schema, depth: number): unknown {
  if (!isObject(schema) || depth > MAX_DEPTH) return null;
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if (typeof schema.$ref === "string") return instanceOf(resolveRef(schema.$ref, root), root, depth + 1);
  for (const key of ["anyOf", "oneOf"] as const) {
    const branches = schema[key];
    if (Array.isArray(branches) && branches.length > 0) return instanceOf(branches[0], root, depth + 1);
  }
  if (Array.isArray(schema.allOf)) {
    const merged: Record<string, unknown> = {};
    for (const part of schema.allOf) {
      const value = instanceOf(part, root, depth + 1);
      if (isObject(value)) Object.assign(merged, value);
    }
    return merged;
  }
  switch (typeOf(schema)) {
    case "object":
      return objectInstance(schema, root, depth);
    case "array": {
      const count = typeof schema.minItems === "number" ? schema.minItems : 0;
      return Array.from({ length: count }, () => instanceOf(schema.items, root, depth + 1));
    }
    case "string": {
      const min = typeof schema.minLength === "number" ? schema.minLength : 0;
      return "value".padEnd(min, "e");
    }
    case "integer":
    case "number":
      return numberInstance(schema);
    case "boolean":
      return false;
    case "null":
      return null;
    default:
      return {};
  }
}

function objectInstance(schema: Schema, root: Schema, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required : [];
  for (const name of required) {
    if (typeof name === "string") out[name] = instanceOf(properties[name] ?? {}, root, depth + 1);
  }
  return out;
}

function numberInstance(schema: Schema): number {
  if (typeof schema.minimum === "number") return schema.minimum;
  if (typeof schema.exclusiveMinimum === "number") return schema.exclusiveMinimum + 1;
  if (typeof schema.maximum === "number" && schema.maximum < 0) return schema.maximum;
  return 0;
}

/** The schema's type; a list of types takes its first that is not "null"; none: from its keywords. */
function typeOf(schema: Schema): string | null {
  const type = schema.type;
  if (typeof type === "string") return type;
  if (Array.isArray(type)) return (type.find((t) => t !== "null") ?? type[0] ?? null) as string | null;
  if (isObject(schema.properties)) return "object";
  if (schema.items !== undefined) return "array";
  return null;
}

function resolveRef(ref: string, root: Schema): unknown {
  if (!ref.startsWith("#/")) return {};
  let node: unknown = root;
  for (const part of ref.slice(2).split("/")) {
    if (!isObject(node)) return {};
    node = node[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return node;
}

function isObject(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
