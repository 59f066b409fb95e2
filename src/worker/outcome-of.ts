import type { BackendResult } from "../backends/backend.js";
import { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF } from "../domain/backoff.js";
import type { Outcome } from "../domain/record.js";

/**
 * Maps what a backend answered to the closed set of attempt outcomes. Retryable failures are
 * scheduled with jittered exponential backoff, never sooner than the backend's Retry-After;
 * whether attempts are used up is the store's call (it knows the released count).
 */
export function outcomeOf(
  result: BackendResult,
  attempt: number,
  now: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): Outcome {
  if (result.ok) {
    return {
      kind: "succeeded",
      response: { statusCode: result.statusCode, requestId: result.requestId, body: result.body },
      usage: result.usage,
    };
  }
  const response =
    result.statusCode === null
      ? null
      : { statusCode: result.statusCode, requestId: result.requestId, body: result.body ?? "" };
  const error = { code: result.code, message: result.message };
  if (!result.retryable) return { kind: "failed", response, error };
  return { kind: "retry", runAt: now + backoffDelay(attempt, result.retryAfterMs, policy), response, error };
}
