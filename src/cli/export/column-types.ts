import { isObject } from "./response-output.js";

/**
 * The type of a column in a typed export (Parquet). Lists and objects are `json`: their JSON
 * text, marked as JSON, which DuckDB, Spark and pandas read as a JSON column.
 */
export type ColumnType = "string" | "int64" | "double" | "boolean" | "json";

export interface TypedColumn {
  name: string;
  type: ColumnType;
}

const INT64_MIN = -(2 ** 63);
const INT64_END = 2 ** 63; // exclusive: 2^63 - 1 is not a double

/**
 * The column type of one JSON-schema property: `string`, `integer` (int64), `number` (double),
 * `boolean`; arrays, objects, unions of several types and schemas without a type are `json`. A
 * nullable type (`["integer", "null"]`) is its non-null type: every column may hold nulls.
 */
export function columnTypeOfSchema(spec: unknown): ColumnType {
  if (!isObject(spec)) return "json";
  const declared = Array.isArray(spec.type) ? spec.type.filter((t) => t !== "null") : [spec.type];
  if (declared.length === 2 && declared.includes("integer") && declared.includes("number")) return "double";
  if (declared.length === 1) {
    const t = declared[0];
    if (t === "string") return "string";
    if (t === "integer") return "int64";
    if (t === "number") return "double";
    if (t === "boolean") return "boolean";
    if (t !== undefined) return "json";
  }
  // No type: an enum or const of strings is still a string column.
  const values = Array.isArray(spec.enum) ? spec.enum : "const" in spec ? [spec.const] : [];
  return values.length > 0 && values.every((v) => typeof v === "string") ? "string" : "json";
}

/**
 * The property types of a `response_format` JSON schema, by property name (the `output.<name>`
 * columns); null without a schema. The names are those `schemaFieldNames` gives, in its order.
 */
export function schemaColumnTypes(responseFormat: unknown): Record<string, ColumnType> | null {
  if (!isObject(responseFormat) || responseFormat.type !== "json_schema") return null;
  const jsonSchema = isObject(responseFormat.json_schema) ? responseFormat.json_schema : {};
  const schema = isObject(jsonSchema.schema) ? jsonSchema.schema : {};
  const properties = isObject(schema.properties) ? schema.properties : {};
  const types: Record<string, ColumnType> = {};
  for (const [name, spec] of Object.entries(properties)) types[name] = columnTypeOfSchema(spec);
  return types;
}

/** A cell as its column's type wants it (int64 as a bigint), or why it is not of that type. */
export type TypedCell = { ok: true; value: unknown } | { ok: false; problem: string };

const NULL_CELL: TypedCell = { ok: true, value: null };

export function typedCell(value: unknown, type: ColumnType): TypedCell {
  if (value === null || value === undefined) return NULL_CELL;
  switch (type) {
    case "json":
      return { ok: true, value };
    case "string":
      return typeof value === "string" ? { ok: true, value } : mismatch("a string", value);
    case "boolean":
      return typeof value === "boolean" ? { ok: true, value } : mismatch("a boolean", value);
    case "double":
      return typeof value === "number" ? { ok: true, value } : mismatch("a number", value);
    case "int64":
      return isInt64(value) ? { ok: true, value: BigInt(value) } : mismatch("an integer", value);
  }
}

function isInt64(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= INT64_MIN && value < INT64_END;
}

function mismatch(expected: string, value: unknown): TypedCell {
  const text = JSON.stringify(value) ?? String(value);
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return { ok: false, problem: `expected ${expected}, got ${shown}` };
}

/**
 * The type of a column of a JSONL dataset, from every value it holds: only integers → int64,
 * numbers → double, only strings → string, only booleans → boolean; objects, arrays and mixes of
 * kinds → json (each value as its JSON text). A column that is always null is a string column.
 */
export class ColumnTypeInference {
  private kinds = 0;

  observe(value: unknown): void {
    if (value === null || value === undefined) return;
    if (typeof value === "string") this.kinds |= STRING;
    else if (typeof value === "boolean") this.kinds |= BOOLEAN;
    else if (isInt64(value)) this.kinds |= INTEGER;
    else if (typeof value === "number") this.kinds |= DOUBLE;
    else this.kinds |= OTHER;
  }

  get type(): ColumnType {
    switch (this.kinds) {
      case 0:
      case STRING:
        return "string";
      case BOOLEAN:
        return "boolean";
      case INTEGER:
        return "int64";
      case DOUBLE:
      case INTEGER | DOUBLE:
        return "double";
      default:
        return "json";
    }
  }
}

const STRING = 1;
const BOOLEAN = 2;
const INTEGER = 4;
const DOUBLE = 8;
const OTHER = 16;
