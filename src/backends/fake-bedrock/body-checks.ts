import { type AwsError, malformedInput, validationError } from "./aws-error.js";

/**
 * Checks shared by the native bodies and Converse. Native bodies are checked against each
 * model's JSON schema, and Bedrock words those failures `#/path: problem` (malformedInput);
 * Converse is a Smithy API, whose failures read `Value … at 'path' failed to satisfy constraint`.
 */
export type Fields = Record<string, unknown>;

/** The body as a JSON object, or Bedrock's answer to a body that is not one. */
export function readObject(body: string): Fields | AwsError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return validationError("Malformed input request, please reformat your input and try again.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return malformedInput(
      "#: expected type: JSONObject, found: " + (Array.isArray(parsed) ? "JSONArray" : typeof parsed),
    );
  }
  return parsed as Fields;
}

/** A native body's members against its model's schema: required ones present, no others. */
export function checkKeys(
  fields: Fields,
  required: readonly string[],
  allowed: readonly string[],
): AwsError | null {
  for (const key of required) {
    if (!(key in fields)) return malformedInput(`#: required key [${key}] not found`);
  }
  for (const key of Object.keys(fields)) {
    if (!required.includes(key) && !allowed.includes(key)) {
      return malformedInput(`#: extraneous key [${key}] is not permitted`);
    }
  }
  return null;
}

/** An optional positive integer member (a token cap): its value, null when absent, or the error. */
export function positiveInteger(value: unknown, path: string): number | null | AwsError {
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    return malformedInput(`#/${path}: expected type: Integer, found: ${jsonType(value)}`);
  }
  if (value < 1) return malformedInput(`#/${path}: ${value} is not greater or equal to 1`);
  return value;
}

/** An optional number member within [min, max]. */
export function numberIn(value: unknown, path: string, min: number, max: number): AwsError | null {
  if (value === undefined) return null;
  if (typeof value !== "number")
    return malformedInput(`#/${path}: expected type: Number, found: ${jsonType(value)}`);
  if (value < min) return malformedInput(`#/${path}: ${value} is not greater or equal to ${min}`);
  if (value > max) return malformedInput(`#/${path}: ${value} is not less or equal to ${max}`);
  return null;
}

/** Smithy's wording for a Converse member that breaks a constraint. */
export function constraint(value: unknown, path: string, rule: string): AwsError {
  return validationError(
    `1 validation error detected: Value '${JSON.stringify(value) ?? "null"}' at '${path}' failed to satisfy constraint: ${rule}`,
  );
}

/** Text of a content value: a string, or the `text` of each block (nested tool results too). */
export function contentText(content: unknown, depth = 0): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content) || depth > 4) return "";
  const parts: string[] = [];
  for (const block of content) {
    if (typeof block !== "object" || block === null) continue;
    const b = block as Fields;
    if (typeof b.text === "string") parts.push(b.text);
    else if (b.content !== undefined) parts.push(contentText(b.content, depth + 1));
    else if (typeof b.toolResult === "object" && b.toolResult !== null) {
      parts.push(contentText((b.toolResult as Fields).content, depth + 1));
    }
  }
  return parts.join("\n");
}

export function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "JSONArray";
  if (typeof value === "object") return "JSONObject";
  if (typeof value === "number") return Number.isInteger(value) ? "Integer" : "BigDecimal";
  if (typeof value === "string") return "String";
  return typeof value === "boolean" ? "Boolean" : typeof value;
}
