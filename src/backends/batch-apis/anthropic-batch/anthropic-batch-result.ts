import { ANTHROPIC_ERROR_STATUS } from "../../../domain/anthropic-error-type.js";
import { extractUsage } from "../../usage.js";
import type { BatchApiResult } from "../batch-api-client.js";
import { BatchApiError } from "../batch-http/batch-api-error.js";
import { looksLikeJsonObject, parsedJsonAt, rawJsonAt } from "../batch-http/raw-json.js";

/** Error types worth another provider job: the provider's trouble, not the request's. */
const RETRYABLE = new Set(["overloaded_error", "api_error", "rate_limit_error"]);
/** By error type; a type Anthropic may add later has no status. */
const STATUS: Record<string, number> = ANTHROPIC_ERROR_STATUS;

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
