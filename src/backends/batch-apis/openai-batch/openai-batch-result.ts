import { extractUsage } from "../../usage.js";
import type { BatchApiResult } from "../batch-api-client.js";
import { isRetryableStatus } from "../batch-http/batch-api-error.js";
import { rawJsonAt } from "../batch-http/raw-json.js";

/** Request errors that say nothing about the request itself: another provider job may well run it. */
const RETRYABLE_CODES = new Set(["batch_expired", "batch_cancelled", "rate_limit_exceeded", "server_error"]);

/**
 * One line of an OpenAI batch's output or error file as a result:
 * `{"custom_id","response":{"status_code","body"},"error":null}` or
 * `{"custom_id","response":null,"error":{"code","message"}}`. The body is the line's own text
 * (bytes in = bytes out). 429 and 5xx answers and expired/cancelled requests are retryable.
 */
export function openAiResultOf(line: string): BatchApiResult {
  const parsed = JSON.parse(line) as {
    custom_id?: unknown;
    response?: { status_code?: unknown; body?: unknown } | null;
    error?: { code?: unknown; message?: unknown } | null;
  };
  const key = typeof parsed.custom_id === "string" ? parsed.custom_id : "";
  const response = parsed.response;
  if (response && typeof response.status_code === "number") {
    const statusCode = response.status_code;
    const body = rawJsonAt(line, ["response", "body"]) ?? "null";
    if (statusCode >= 200 && statusCode < 300) {
      return { key, ok: true, statusCode, body, usage: extractUsage(body) };
    }
    const error = errorOf(response.body);
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
  const code = typeof parsed.error?.code === "string" ? parsed.error.code : "provider_error";
  const message =
    typeof parsed.error?.message === "string" ? parsed.error.message : "The provider reported an error.";
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
