import { DocketError } from "../domain/errors.js";
import { scanJson } from "../validation/json-scan.js";

/** Top-level body fields a retry sets, each as `[name, JSON text of its new value]`, in the order given. */
export type BodyOverrides = ReadonlyArray<readonly [name: string, json: string]>;

/**
 * The scanner is iterative, so depth is no danger here; the body already passed validation under
 * the server's own limit, which may be above the default.
 */
const ANY_DEPTH = Number.MAX_SAFE_INTEGER;

/**
 * Sets top-level fields of a JSON object body and leaves every other byte as it was: a field that
 * is there gets its value's text replaced (the last one, when a key is repeated: the one
 * `JSON.parse` and backends read), a field that is not is added before the closing brace. Nothing
 * is parsed into values and re-serialised, so big integers, `1.0`, key order, spacing and escapes
 * elsewhere in the body reach the model unchanged.
 */
export function applyOverrides(body: string, overrides: BodyOverrides): string {
  if (overrides.length === 0) return body;
  const scan = scanJson(body, ANY_DEPTH);
  if (!scan.ok || !scan.isObject) {
    throw new DocketError(
      "invalid_request_error",
      "A request body that is not a JSON object cannot take overrides.",
      400,
      "overrides",
    );
  }
  const close = body.lastIndexOf("}");
  const edits: Array<{ start: number; end: number; text: string }> = [];
  let added = "";
  let hasMembers = scan.members.size > 0;
  for (const [name, json] of overrides) {
    const span = scan.members.get(name);
    if (span) {
      edits.push({ start: span.start, end: span.end, text: json });
      continue;
    }
    added += `${hasMembers ? "," : ""}${JSON.stringify(name)}:${json}`;
    hasMembers = true;
  }
  if (added) edits.push({ start: close, end: close, text: added });
  // From the end backwards, so each edit's offsets still hold when it is made.
  edits.sort((a, b) => b.start - a.start);
  let out = body;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
