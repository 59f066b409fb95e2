import { parseRetryAfter } from "../../domain/backoff.js";
import { parseJsonObject } from "../../domain/json-object.js";
import { type BackendFailure, isRetryableStatus } from "../backend.js";

/** Longest slice of a non-JSON error body quoted in a failure message. */
const MAX_QUOTED_BODY = 300;

/**
 * A non-2xx answer. The body is kept verbatim for the error file; the message is the provider's
 * own (`error.message` in OpenAI's shape, `message`/`detail` in vLLM's and FastAPI's) so the
 * person reading it sees what the backend said.
 */
export function failureFromStatus(
  statusCode: number,
  body: string,
  requestId: string | null,
  retryAfter: string | null,
  retryAfterMs: string | null,
): BackendFailure {
  const retryable = isRetryableStatus(statusCode);
  return {
    ok: false,
    retryable,
    retryAfterMs: retryable ? parseRetryAfter(retryAfter, retryAfterMs) : null,
    statusCode,
    requestId,
    body,
    code: `http_${statusCode}`,
    message: providerMessage(body) ?? fallbackMessage(statusCode, body),
  };
}

export function providerMessage(body: string): string | null {
  if (body.length === 0 || (body[0] !== "{" && body.trimStart()[0] !== "{")) return null;
  const top = parseJsonObject(body);
  if (top === null) return null;
  const error = top.error;
  if (typeof error === "string" && error) return error;
  if (typeof error === "object" && error !== null) {
    const message = (error as Record<string, unknown>).message;
    if (typeof message === "string" && message) return message;
  }
  if (typeof top.message === "string" && top.message) return top.message;
  if (typeof top.detail === "string" && top.detail) return top.detail;
  return null;
}

function fallbackMessage(statusCode: number, body: string): string {
  const text = body.trim();
  if (!text) return `The backend answered HTTP ${statusCode} with an empty body.`;
  const quoted = text.length > MAX_QUOTED_BODY ? `${text.slice(0, MAX_QUOTED_BODY)}…` : text;
  return `The backend answered HTTP ${statusCode}: ${quoted}`;
}

/** Why a request ended without an answer, when the backend itself decided (not the error). */
export type EndReason = "timeout" | "aborted" | null;

/**
 * A request that got no answer. Timeouts and connection trouble are retried (the call may or may
 * not have reached the model: at-least-once); an argument undici refuses is our bug, not the
 * network's, and retrying it would only repeat it.
 */
/** The per-phase limits a request ran under, named in timeout messages. */
export interface PhaseTimeouts {
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
}

export function failureFromError(
  error: unknown,
  reason: EndReason,
  timeoutMs: number,
  phases?: PhaseTimeouts,
): BackendFailure {
  const base = { ok: false as const, retryAfterMs: null, statusCode: null, requestId: null, body: null };
  if (reason === "timeout") {
    return {
      ...base,
      retryable: true,
      code: "timeout",
      message: `The backend did not answer within ${timeoutMs} ms.`,
    };
  }
  if (reason === "aborted") {
    return {
      ...base,
      retryable: true,
      code: "aborted",
      message: "The request was aborted before it finished.",
    };
  }
  const code = errorCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") {
    let message = `The backend stopped answering (${detail}).`;
    if (phases && code === "UND_ERR_HEADERS_TIMEOUT")
      message = `The backend sent no response headers within ${phases.headersTimeoutMs} ms of the request (headersTimeoutMs).`;
    if (phases && code === "UND_ERR_BODY_TIMEOUT")
      message = `The backend's response body stalled: no bytes for ${phases.bodyTimeoutMs} ms (bodyTimeoutMs).`;
    return { ...base, retryable: true, code: "timeout", message };
  }
  if (code?.startsWith("UND_ERR_INVALID") || code === "UND_ERR_NOT_SUPPORTED") {
    return {
      ...base,
      retryable: false,
      code: "request_error",
      message: `The request could not be sent: ${detail}`,
    };
  }
  return {
    ...base,
    retryable: true,
    code: "connection_error",
    message: `Could not reach the backend (${code ?? "error"}: ${detail}).`,
  };
}

/** undici wraps connect errors; the useful code (ECONNREFUSED…) may sit on the cause. */
function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 3 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && code !== "UND_ERR_SOCKET") return code;
    const cause = (current as { cause?: unknown }).cause;
    if (cause === undefined) return typeof code === "string" ? code : undefined;
    current = cause;
  }
  return undefined;
}
