import type { ModelPrice } from "./prices.js";
import type { RequestPayload } from "./request-body.js";
import { outputReserve } from "./validate.js";

export interface ThroughputLimits {
  /** Requests in flight at once. Needs `latencyMs` to bound duration. */
  concurrency?: number;
  /** Typical seconds-scale latency of one request, in ms. */
  latencyMs?: number;
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

export interface EstimateTotals {
  requests: number;
  inputTokens: number;
  /** Output tokens assumed over all requests (see `assumedOutputTokens`). */
  outputTokens: number;
}

export type DurationBound = "requests_per_minute" | "tokens_per_minute" | "concurrency";

export interface Estimate extends EstimateTotals {
  /** USD; null when the model has no price. */
  cost: { onDemandUsd: number; batchUsd: number } | null;
  /** The slowest of the known limits; null when no limit is known. */
  duration: { seconds: number; limitedBy: DurationBound } | null;
}

/**
 * Output tokens to assume for one request: its max_tokens (an upper bound), or an average
 * observed on a sample of real replies, capped by max_tokens. Embeddings produce none.
 */
export function assumedOutputTokens(payload: RequestPayload, observedAverage: number | null): number {
  if (payload.endpoint === "/v1/embeddings") return 0;
  const max = outputReserve(payload);
  if (observedAverage === null) return max;
  return max > 0 ? Math.min(max, observedAverage) : observedAverage;
}

export function estimate(
  totals: EstimateTotals,
  price: ModelPrice | null,
  limits: ThroughputLimits = {},
): Estimate {
  const cost =
    price === null
      ? null
      : (() => {
          const onDemandUsd =
            (totals.inputTokens * price.inputPerMTok + totals.outputTokens * price.outputPerMTok) / 1_000_000;
          return { onDemandUsd, batchUsd: onDemandUsd * (1 - price.batchDiscount) };
        })();

  const bounds: Array<[DurationBound, number]> = [];
  if (limits.requestsPerMinute)
    bounds.push(["requests_per_minute", (totals.requests / limits.requestsPerMinute) * 60]);
  if (limits.tokensPerMinute) {
    // Providers count prompt and completion tokens against the per-minute budget.
    bounds.push([
      "tokens_per_minute",
      ((totals.inputTokens + totals.outputTokens) / limits.tokensPerMinute) * 60,
    ]);
  }
  if (limits.concurrency && limits.latencyMs) {
    bounds.push(["concurrency", (totals.requests * limits.latencyMs) / limits.concurrency / 1000]);
  }
  let duration: Estimate["duration"] = null;
  for (const [limitedBy, seconds] of bounds) {
    if (duration === null || seconds > duration.seconds) duration = { seconds, limitedBy };
  }
  return { ...totals, cost, duration };
}
