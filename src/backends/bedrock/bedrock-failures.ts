import { parseRetryAfter } from "../../domain/backoff.js";
import { parseJsonObject } from "../../domain/json-object.js";
import { type BackendFailure, isRetryableStatus, unansweredFailure } from "../backend.js";

/**
 * Bedrock Runtime's exceptions that mean "try again later": the account's quota, the service or
 * the model is busy, still loading, or timed out. Each also has a retryable status (429, 503,
 * 500, 408); naming them keeps them retried whatever status a proxy puts in front.
 */
const RETRYABLE_ERRORS = new Set([
  "ThrottlingException",
  "ServiceUnavailableException",
  "ModelNotReadyException",
  "InternalServerException",
  "ModelTimeoutException",
]);

/** What the SDK's exceptions carry that a failure needs (all optional: errors come in many shapes). */
interface SdkErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/** The raw HTTP answer behind an error, captured below the SDK's parser (raw-exchange.ts). */
export interface RawAnswer {
  statusCode: number;
  headers: Record<string, string | undefined>;
  body: string;
}

/** Why a request ended without an answer, when the backend itself decided. */
export type EndReason = "timeout" | "aborted" | null;

/**
 * An InvokeModel/Converse call that threw. A service error (it has an HTTP status) keeps the
 * status, the request id and the AWS error body with its type added (`__type`, AWS's own JSON
 * name for it), and its code is the exception's name; anything else is a connection problem or
 * a deadline, retried like other backends' (the call may have reached the model: at-least-once).
 */
export function failureFromBedrockError(
  error: unknown,
  raw: RawAnswer | null,
  reason: EndReason,
  timeoutMs: number,
): BackendFailure {
  if (reason === "timeout") {
    return unansweredFailure("timeout", `Bedrock did not answer within ${timeoutMs} ms.`, true);
  }
  if (reason === "aborted") {
    return unansweredFailure("aborted", "The request was aborted before it finished.", true);
  }
  const e = (typeof error === "object" && error !== null ? error : {}) as SdkErrorLike;
  const name = typeof e.name === "string" ? e.name : "Error";
  const message = typeof e.message === "string" && e.message ? e.message : String(error);
  const status = e.$metadata?.httpStatusCode ?? raw?.statusCode;
  if (status === undefined || status < 300) return connectionFailure(name, message, e.code);

  const retryable = RETRYABLE_ERRORS.has(name) || isRetryableStatus(status);
  const headers = raw?.headers ?? {};
  return {
    ok: false,
    retryable,
    retryAfterMs: retryable ? parseRetryAfter(headers["retry-after"], headers["retry-after-ms"]) : null,
    statusCode: status,
    requestId: e.$metadata?.requestId ?? headers["x-amzn-requestid"] ?? null,
    body: errorBody(name, message, raw?.body),
    code: name === "Unknown" || name === "Error" ? `http_${status}` : name,
    message: `${name}: ${message}`,
  };
}

/** The AWS error JSON (`{"message":…}`, plus any members it has) with its type in `__type`. */
export function errorBody(name: string, message: string, rawBody: string | undefined): string {
  const raw = rawBody ? parseJsonObject(rawBody) : null;
  if (raw !== null && !Array.isArray(raw)) {
    return JSON.stringify("__type" in raw ? raw : { __type: name, ...raw });
  }
  return JSON.stringify({ __type: name, message });
}

function connectionFailure(name: string, message: string, code: unknown): BackendFailure {
  // Problems of this route's set-up or of the answer itself: retrying repeats them.
  if (name === "CredentialsProviderError" || message.startsWith("Region is missing")) {
    return unansweredFailure("bedrock_config_error", `Bedrock route misconfigured: ${message}`, false);
  }
  if (name === "AnswerTooLargeError") return unansweredFailure("response_too_large", message, false);
  if (name === "TimeoutError") {
    return unansweredFailure("timeout", `Bedrock stopped answering (${message}).`, true);
  }
  const detail = typeof code === "string" ? `${code}: ${message}` : message;
  return unansweredFailure("connection_error", `Could not reach Bedrock (${detail}).`, true);
}
