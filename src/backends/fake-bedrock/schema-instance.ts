/** Deeper schemas are answered with what is built so far: a fake needs no more. */
const MAX_DEPTH = 16;

/**
 * A minimal instance of a JSON schema: the required properties only, the first enum or const
 * value, the lowest allowed number, the shortest allowed string and array. What a model forced
 * to call a tool gives as the tool's input, so a client's own validation of it passes.
 */
export function minimalInstance(schema: unknown, depth = 0): unknown {
  if (typeof schema !== "object" || schema === null || depth > MAX_DEPTH) return {};
  const s = schema as Record<string, unknown>;
  if ("const" in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    const options = s[key];
    if (Array.isArray(options) && options.length > 0) return minimalInstance(options[0], depth + 1);
  }
  const type = Array.isArray(s.type) ? (s.type.find((t) => t !== "null") ?? s.type[0]) : s.type;
  switch (type) {
    case "string":
      return "x".repeat(typeof s.minLength === "number" ? Math.min(s.minLength, 1024) : 0);
    case "integer":
    case "number":
      return lowestNumber(s, type === "integer");
    case "boolean":
      return false;
    case "null":
      return null;
    case "array": {
      const n = typeof s.minItems === "number" ? Math.min(s.minItems, 64) : 0;
      return Array.from({ length: n }, () => minimalInstance(s.items, depth + 1));
    }
    default:
      return minimalObject(s, depth);
  }
}

function minimalObject(s: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const properties = (
    typeof s.properties === "object" && s.properties !== null ? s.properties : {}
  ) as Record<string, unknown>;
  if (!Array.isArray(s.required)) return out;
  for (const name of s.required) {
    if (typeof name === "string") out[name] = minimalInstance(properties[name], depth + 1);
  }
  return out;
}

function lowestNumber(s: Record<string, unknown>, integer: boolean): number {
  if (typeof s.minimum === "number") return integer ? Math.ceil(s.minimum) : s.minimum;
  if (typeof s.exclusiveMinimum === "number")
    return integer ? Math.floor(s.exclusiveMinimum) + 1 : s.exclusiveMinimum + 1;
  if (typeof s.maximum === "number" && s.maximum < 0) return integer ? Math.floor(s.maximum) : s.maximum;
  return 0;
}
