/**
 * The first step of reading any OpenAI request body: it must be JSON, and a JSON object. Each
 * backend words the invalid-JSON refusal its own way (the fake backend copies OpenAI's text);
 * a body that parses to something else gets the same message from all of them.
 */
export const NOT_AN_OBJECT = "The request body must be a JSON object.";

export type JsonRequest =
  | { ok: true; fields: Record<string, unknown> }
  | { ok: false; reason: "invalid_json" | "not_an_object" };

export function readJsonRequest(body: string): JsonRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, reason: "invalid_json" };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { ok: false, reason: "not_an_object" };
  }
  return { ok: true, fields: parsed as Record<string, unknown> };
}
