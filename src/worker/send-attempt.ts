import { type Backend, unansweredFailure } from "../backends/backend.js";
import type { ClaimedRecord, Outcome } from "../domain/record.js";
import type { JobKinds } from "../jobs/job-kind.js";
import type { RouteGate } from "../limits/route-gate.js";
import { outcomeOf } from "./outcome-of.js";

/**
 * One attempt of a record: the backend call, the route gate told how it went (latency, overload,
 * Retry-After, tokens), and the answer mapped to an outcome. Never rejects: a backend that
 * throws is a retryable internal error.
 */
export function sendAttempt(
  backend: Backend,
  gate: RouteGate,
  record: ClaimedRecord,
  o: {
    signal: AbortSignal;
    estimatedTokens: number;
    inFlight: () => number;
    kinds: JobKinds;
  },
): Promise<Outcome> {
  const started = Date.now();
  // The record's kind prepares its request: a batch body as stored, an invocation's payload from blobs.
  return o.kinds[record.kind].send(backend, record, o.signal).then(
    (result) => {
      const now = Date.now();
      gate.onFinished(
        {
          rttMs: now - started,
          overloaded: !result.ok && isOverload(result.statusCode, result.code),
          retryAfterMs: result.ok ? null : result.retryAfterMs,
          estimatedTokens: o.estimatedTokens,
          actualTokens:
            result.ok && result.usage ? result.usage.inputTokens + result.usage.outputTokens : null,
        },
        o.inFlight(),
        now,
      );
      return outcomeOf(result, record.attempt, now);
    },
    (err: unknown) =>
      outcomeOf(
        unansweredFailure("internal_error", `the backend raised: ${(err as Error).message}`, true),
        record.attempt,
        Date.now(),
      ),
  );
}

/** Answers that mean "too much load", which the adaptive loop backs off from. */
function isOverload(status: number | null, code: string): boolean {
  return status === 429 || status === 503 || status === 529 || code === "timeout";
}
