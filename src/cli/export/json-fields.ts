import { isObject } from "./response-output.js";

/**
 * The property names of a `response_format` JSON schema (`{type: "json_schema", json_schema:
 * {schema: {properties}}}`), which become `output.<name>` columns; null without a schema.
 */
export function schemaFieldNames(responseFormat: unknown): string[] | null {
  if (!isObject(responseFormat) || responseFormat.type !== "json_schema") return null;
  const jsonSchema = isObject(responseFormat.json_schema) ? responseFormat.json_schema : {};
  const schema = isObject(jsonSchema.schema) ? jsonSchema.schema : {};
  return isObject(schema.properties) ? Object.keys(schema.properties) : [];
}

export interface ParsedFields {
  values: Record<string, unknown>;
  /** Why the output could not be read as the schema's object; null when it could. */
  parseError: string | null;
}

/**
 * Reads a structured output. Models sometimes wrap JSON in a Markdown code fence, which is
 * removed first; anything else that is not a JSON object leaves the fields empty and says why.
 */
export function parseJsonFields(output: string | null, names: readonly string[]): ParsedFields {
  if (output === null) return { values: {}, parseError: "the response has no text" };
  const text = output
    .trim()
    .replace(/^```(?:json)?\s*\n?/i, "")
    .replace(/\n?```$/, "");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { values: {}, parseError: `not valid JSON: ${(e as Error).message}` };
  }
  if (!isObject(parsed)) {
    return {
      values: {},
      parseError: `expected a JSON object, got ${Array.isArray(parsed) ? "an array" : typeof parsed}`,
    };
  }
  const values: Record<string, unknown> = {};
  for (const name of names) if (name in parsed) values[name] = parsed[name];
  return { values, parseError: null };
}
