import type { AnthropicErrorType } from "./anthropic-error.js";

/**
 * Knobs of the fake's Message Batches API (`/v1/messages/batches`), apart from the Messages
 * knobs: how long a batch takes and how it goes wrong, per request or as a whole.
 */
export interface FakeMessageBatchOptions {
  /** From creation to `ended` (default 0: ended at the next look). */
  turnaroundMs?: number;
  /** Fraction of requests that end `errored` with a retryable `api_error` (default 0). */
  errorRate?: number;
  /** Every create is refused with this error (e.g. `invalid_request_error`; `rate_limit_error` is a throttled 429). */
  createError?: AnthropicErrorType | null;
  /** Every second request (by position) ends `expired`, as a batch that ran out of its 24 h half done. */
  expireHalf?: boolean;
  /** Batches in progress at once; a create beyond it is refused with 429 `rate_limit_error` (default none). */
  maxInFlight?: number | null;
}

export type ResolvedMessageBatchOptions = Required<FakeMessageBatchOptions>;

export const MESSAGE_BATCH_DEFAULTS: ResolvedMessageBatchOptions = {
  turnaroundMs: 0,
  errorRate: 0,
  createError: null,
  expireHalf: false,
  maxInFlight: null,
};

/** What tests read back: batches made, the most in progress at once, and how often each custom_id was sent. */
export interface FakeMessageBatchStats {
  created: number;
  inFlight: number;
  maxInFlight: number;
  /** custom_id → how many creates carried it (a request submitted twice shows 2). */
  submittedPerCustomId: Record<string, number>;
}
