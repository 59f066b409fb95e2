import type { Readable } from "node:stream";

/**
 * A backend turns one request body into a response or a typed failure. Retryability is
 * decided once, here at the boundary (408/409/429/5xx, timeouts and connection errors retry;
 * other 4xx do not), so the worker never inspects provider-specific errors.
 */
export interface Backend {
  send(request: BackendRequest): Promise<BackendResult>;
  close(): Promise<void>;
  /**
   * True when `send` honours `bodyStream`/`responseSink` (large invocation payloads streamed,
   * never held whole in memory). Backends without it get such bodies read into a string, up to
   * a limit (src/invocations/invocation-request.ts).
   */
  readonly streamsBodies?: boolean;
}

export interface BackendRequest {
  /** One of the batch endpoints, e.g. `/v1/chat/completions`. */
  endpoint: string;
  /** The request body as JSON text, passed through unchanged. */
  body: string;
  signal?: AbortSignal;
  /**
   * When set, the body is streamed from here instead of `body` (async invocations of up to GBs);
   * called once per send, so a retry reads the payload again.
   */
  bodyStream?: () => Promise<Readable>;
  /** Length of `bodyStream`'s content, sent as Content-Length. */
  bodyBytes?: number;
  /** This request's deadline, instead of the backend's configured one. */
  timeoutMs?: number;
  /** Extra headers for this request only (e.g. an invocation's custom attributes). */
  headers?: Record<string, string>;
  /**
   * Takes a successful answer's body as a stream and returns what to keep as `body` (the text
   * itself when small, a pointer to where it was stored when large).
   */
  responseSink?: (body: Readable) => Promise<string>;
}

export type BackendResult = BackendSuccess | BackendFailure;

export interface BackendSuccess {
  ok: true;
  statusCode: number;
  requestId: string | null;
  body: string;
  usage: { inputTokens: number; outputTokens: number } | null;
}

export interface BackendFailure {
  ok: false;
  retryable: boolean;
  retryAfterMs: number | null;
  /** The backend's status and body when it answered; null for connection errors/timeouts. */
  statusCode: number | null;
  requestId: string | null;
  body: string | null;
  code: string;
  message: string;
}

/** Status codes worth retrying: the same set the major provider SDKs retry. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * A failure without an answer from the model server (connection lost, engine crashed, timed
 * out, aborted): no status, no body, only a code and a message a person can act on.
 */
export function unansweredFailure(code: string, message: string, retryable: boolean): BackendFailure {
  return {
    ok: false,
    retryable,
    retryAfterMs: null,
    statusCode: null,
    requestId: null,
    body: null,
    code,
    message,
  };
}
