/**
 * JSON text read as an object whose members are yet to be checked; null when the text is not
 * JSON or not an object (an array counts as one: callers read members by name).
 */
export function parseJsonObject(text: string): Record<string, unknown> | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : null;
}
