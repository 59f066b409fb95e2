import { ANTHROPIC_ERROR_STATUS } from "../../../domain/anthropic-error-type.js";
import { extractUsage } from "../../usage.js";
import type { BatchApiResult } from "../batch-api-client.js";
import { BatchApiError } from "../batch-http/batch-api-error.js";
import {
  endsWithClosers,
  jsonValueEnd,
  looksLikeJsonObject,
  parsedJsonAt,
  rawJsonAt,
} from "../batch-http/raw-json.js";

/** Error types worth another provider job: the provider's trouble, not the request's. */
const RETRYABLE = new Set(["overloaded_error", "api_error", "rate_limit_error"]);
/** By error type; a type Anthropic may add later has no status. */
const STATUS: Record<string, number> = ANTHROPIC_ERROR_STATUS;
/** A succeeded line as Anthropic writes it, up to its message: `{"custom_id":"…","result":{"type":"succeeded","message":`. */
const LINE_START = '{"custom_id":"';
const SUCCEEDED_AFTER_ID = '","result":{"type":"succeeded","message":';

/**
 * One line of a Message Batch's results, `{"custom_id","result":{"type",…}}`: `succeeded` with
 * the message (its text exactly, bytes in = bytes out), `errored` with an error response,
 * `canceled` or `expired` (both retryable: the request never ran). `key` is what `keyOf` makes
 * of the record id behind the custom_id (`keyFor`), or the custom_id itself when Docket did not make it.
 *
 * Read with `rawJsonAt`, not `JSON.parse` of the line: ingest reads 100,000 of these per batch,
 * and a message (most of a line) is only ever handed on as text. Only the small parts read as
 * values are parsed: the custom_id, the result's type, an error. A line that is no JSON object
 * is refused (BatchApiError); one without a result of a known type is an `unknown_result`.
 */
export function anthropicResultOf(line: string, keyFor: (customId: string) => string): BatchApiResult {
  const written = succeededAsWritten(line, keyFor);
  if (written !== null) return written;
  if (!looksLikeJsonObject(line)) {
    throw new BatchApiError(
      `A Message Batch result line is not a JSON object: ${line.slice(0, 200)}`,
      null,
      "bad_response",
      false,
    );
  }
  const customId = parsedJsonAt(line, ["custom_id"]);
  const key = keyFor(typeof customId === "string" ? customId : "");
  const type = parsedJsonAt(line, ["result", "type"]);
  if (type === "succeeded") {
    const body = rawJsonAt(line, ["result", "message"]) ?? "null";
    return { key, ok: true, statusCode: 200, body, usage: extractUsage(body) };
  }
  if (type === "errored") {
    const error = (
      parsedJsonAt(line, ["result", "error"]) as { error?: { type?: unknown; message?: unknown } } | null
    )?.error;
    const code = typeof error?.type === "string" ? error.type : "api_error";
    return {
      key,
      ok: false,
      retryable: RETRYABLE.has(code),
      code,
      message: typeof error?.message === "string" ? error.message : "The provider reported an error.",
      statusCode: STATUS[code] ?? null,
      body: rawJsonAt(line, ["result", "error"]),
    };
  }
  const ended = type === "canceled" ? "canceled" : type === "expired" ? "expired" : null;
  return {
    key,
    ok: false,
    retryable: true,
    code: ended ? `batch_${ended}` : "unknown_result",
    message: ended
      ? `The provider's batch ended this request ${ended} before it ran.`
      : `The provider answered an unknown result type ${JSON.stringify(type ?? null)}.`,
    statusCode: null,
    body: null,
  };
}

/**
 * A succeeded line in the form Anthropic writes every one (compact, `custom_id` then `result`
 * with its `type` before the `message`, nothing after it), read without walking its members: the
 * message is scanned once, to its end, and must close the line. Null for any other line, which
 * the general reader above takes (same answer, more steps): ingest reads 100,000 lines a batch.
 */
function succeededAsWritten(line: string, keyFor: (customId: string) => string): BatchApiResult | null {
  if (!line.startsWith(LINE_START)) return null;
  const idEnd = line.indexOf('"', LINE_START.length);
  if (idEnd < 0 || !line.startsWith(SUCCEEDED_AFTER_ID, idEnd)) return null;
  const customId = line.slice(LINE_START.length, idEnd);
  // An escape in the custom_id (never one Docket made) is decoded by the general reader.
  if (customId.includes("\\")) return null;
  const start = idEnd + SUCCEEDED_AFTER_ID.length;
  const end = jsonValueEnd(line, start);
  if (end < 0 || !endsWithClosers(line, end, 2)) return null;
  const body = line.slice(start, end);
  return { key: keyFor(customId), ok: true, statusCode: 200, body, usage: extractUsage(body) };
}
