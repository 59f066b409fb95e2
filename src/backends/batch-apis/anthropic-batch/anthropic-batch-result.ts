import { ANTHROPIC_ERROR_STATUS } from "../../../domain/anthropic-error-type.js";
import { extractUsage } from "../../usage.js";
import type { BatchApiResult } from "../batch-api-client.js";
import { rawJsonAt } from "../batch-http/raw-json.js";

/** Error types worth another provider job: the provider's trouble, not the request's. */
const RETRYABLE = new Set(["overloaded_error", "api_error", "rate_limit_error"]);
/** By error type; a type Anthropic may add later has no status. */
const STATUS: Record<string, number> = ANTHROPIC_ERROR_STATUS;

/**
 * One line of a Message Batch's results, `{"custom_id","result":{"type",…}}`: `succeeded` with
 * the message (its text exactly, bytes in = bytes out), `errored` with an error response,
 * `canceled` or `expired` (both retryable: the request never ran). `key` is what `keyOf` makes
 * of the record id behind the custom_id (`keyFor`), or the custom_id itself when Docket did not make it.
 */
export function anthropicResultOf(line: string, keyFor: (customId: string) => string): BatchApiResult {
  const parsed = JSON.parse(line) as {
    custom_id?: unknown;
    result?: { type?: unknown; error?: { error?: { type?: unknown; message?: unknown } } };
  };
  const key = keyFor(typeof parsed.custom_id === "string" ? parsed.custom_id : "");
  const type = parsed.result?.type;
  if (type === "succeeded") {
    const body = rawJsonAt(line, ["result", "message"]) ?? "null";
    return { key, ok: true, statusCode: 200, body, usage: extractUsage(body) };
  }
  if (type === "errored") {
    const error = parsed.result?.error?.error;
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
