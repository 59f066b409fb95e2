import { extractUsage } from "../../usage.js";
import type { BatchApiResult } from "../batch-api-client.js";
import { BatchApiError, isRetryableStatus } from "../batch-http/batch-api-error.js";
import { looksLikeJsonObject, parsedJsonAt, rawJsonAt } from "../batch-http/raw-json.js";

/** Request errors that say nothing about the request itself: another provider job may well run it. */
const RETRYABLE_CODES = new Set(["batch_expired", "batch_cancelled", "rate_limit_exceeded", "server_error"]);

/**
 * One line of an OpenAI batch's output or error file as a result:
 * `{"custom_id","response":{"status_code","body"},"error":null}` or
 * `{"custom_id","response":null,"error":{"code","message"}}`. The body is the line's own text
 * (bytes in = bytes out). 429 and 5xx answers and expired/cancelled requests are retryable.
 * Read with `rawJsonAt`, not `JSON.parse` of the line (ingest reads 100,000 of these a batch, and
 * a body is only handed on as text): only the custom_id, the status, an error are parsed. A line
 * that is no JSON object is refused (BatchApiError).
 */
export function openAiResultOf(line: string): BatchApiResult {
  if (!looksLikeJsonObject(line)) {
    throw new BatchApiError(
      `A batch output line is not a JSON object: ${line.slice(0, 200)}`,
      null,
      "bad_response",
      false,
    );
  }
  const customId = parsedJsonAt(line, ["custom_id"]);
  const key = typeof customId === "string" ? customId : "";
  const statusCode = parsedJsonAt(line, ["response", "status_code"]);
  if (typeof statusCode === "number") {
    const body = rawJsonAt(line, ["response", "body"]) ?? "null";
    if (statusCode >= 200 && statusCode < 300) {
      return { key, ok: true, statusCode, body, usage: extractUsage(body) };
    }
    const error = errorOf(parsedJsonAt(body, []));
    return {
      key,
      ok: false,
      retryable: isRetryableStatus(statusCode),
      code: error.code ?? `http_${statusCode}`,
      message: error.message ?? `The provider answered ${statusCode}.`,
      statusCode,
      body,
    };
  }
  const failure = parsedJsonAt(line, ["error"]) as { code?: unknown; message?: unknown } | null | undefined;
  const code = typeof failure?.code === "string" ? failure.code : "provider_error";
  const message = typeof failure?.message === "string" ? failure.message : "The provider reported an error.";
  return {
    key,
    ok: false,
    retryable: RETRYABLE_CODES.has(code),
    code,
    message,
    statusCode: null,
    body: null,
  };
}

function errorOf(body: unknown): { code: string | null; message: string | null } {
  const error = (body as { error?: { code?: unknown; type?: unknown; message?: unknown } } | null)?.error;
  const code = error?.code ?? error?.type;
  return {
    code: typeof code === "string" ? code : null,
    message: typeof error?.message === "string" ? error.message : null,
  };
}
