import type { JobPrice } from "../../domain/budget-stop.js";

/**
 * Pure figures the dashboard derives (docs/dashboard.md): rates, ETAs, cost, percentiles and
 * the throughput chart's bucket size. Kept apart from the handlers so they are unit-tested.
 */

/** Bucket sizes the throughput chart may use, smallest first (ms). */
export const THROUGHPUT_INTERVALS_MS = [
  1_000, 5_000, 10_000, 30_000, 60_000, 300_000, 900_000, 3_600_000, 21_600_000, 86_400_000,
] as const;
export const MAX_THROUGHPUT_BUCKETS = 120;

/** The smallest interval that shows `spanMs` in at most MAX_THROUGHPUT_BUCKETS buckets. */
export function throughputInterval(spanMs: number): number {
  for (const interval of THROUGHPUT_INTERVALS_MS) {
    if (Math.ceil(Math.max(1, spanMs) / interval) <= MAX_THROUGHPUT_BUCKETS) return interval;
  }
  return THROUGHPUT_INTERVALS_MS.at(-1)!;
}

/** Nearest-rank percentile of ascending `sorted` (p in 0–100); null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface LatencySummary {
  p50: number | null;
  p90: number | null;
  p99: number | null;
  sample: number;
}

export function latencySummary(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    sample: sorted.length,
  };
}

/** Average finished records per second since the job started running; null before or after. */
export function averageRate(o: {
  finished: number;
  inProgressAt: number | null;
  ended: boolean;
  now: number;
}): number | null {
  if (o.ended || o.inProgressAt === null) return null;
  const seconds = (o.now - o.inProgressAt) / 1000;
  if (seconds <= 0) return null;
  return o.finished / seconds;
}

/** Seconds left at `ratePerS` for `remaining` records, rounded up; null without a positive rate. */
export function etaSeconds(remaining: number, ratePerS: number | null): number | null {
  if (ratePerS === null || ratePerS <= 0) return null;
  return Math.ceil(Math.max(0, remaining) / ratePerS);
}

/** USD for the tokens at `price` (per million tokens); null when no price is known. */
export function costUsd(
  usage: { inputTokens: number; outputTokens: number },
  price: JobPrice | null,
): number | null {
  if (!price) return null;
  return (usage.inputTokens * price.inputPerMTok + usage.outputTokens * price.outputPerMTok) / 1_000_000;
}
