/**
 * A backend turns one request body into a response or a typed failure. Retryability is
 * decided once, here at the boundary (408/409/429/5xx, timeouts and connection errors retry;
 * other 4xx do not), so the worker never inspects provider-specific errors.
 */
export interface Backend {
  send(request: BackendRequest): Promise<BackendResult>;
  close(): Promise<void>;
}

export interface BackendRequest {
  /** One of the batch endpoints, e.g. `/v1/chat/completions`. */
  endpoint: string;
  /** The request body as JSON text, passed through unchanged. */
  body: string;
  signal?: AbortSignal;
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
