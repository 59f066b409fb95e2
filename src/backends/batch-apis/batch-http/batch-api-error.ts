/**
 * A provider's batch API refused or failed a call. `retryable` says whether the same call may
 * succeed later (throttled, quota exceeded, server errors, the network): the core backs off and
 * retries those, and fails the provider job on the others.
 */
export class BatchApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly code: string,
    readonly retryable: boolean,
    /** The provider's `retry-after`, in ms, when it sent one. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = "BatchApiError";
  }
}

/** 408, 409 (a conflicting concurrent change), 429 and 5xx (Anthropic's 529 included) are worth retrying. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}
