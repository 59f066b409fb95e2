/**
 * Hybrid routing (an `auto` route, docs/provider-batch.md): whether a job's records go to the
 * provider's batch API (half price, hours) or on-demand (full price, now). Pure.
 */
export interface HybridSettings {
  turnaroundMs: number;
  minBatchRecords: number;
  onlineFallbackBeforeMs: number;
}

export interface JobWindow {
  /** Records of the job still waiting on the auto route. */
  pending: number;
  /** When the job's completion window ends (null: no end). */
  expiresAt: number | null;
}

/**
 * Batch when the job is big enough and its window leaves room for the turnaround plus the
 * fallback margin (so a stalled provider job can still be pulled back and run on-demand in time).
 */
export function chooseLane(
  job: JobWindow,
  now: number,
  s: HybridSettings,
  turnaroundMs: number,
): "batch" | "online" {
  if (job.pending < s.minBatchRecords) return "online";
  if (job.expiresAt === null) return "batch";
  return job.expiresAt - now >= turnaroundMs + s.onlineFallbackBeforeMs ? "batch" : "online";
}

/** Whether what still waits at the provider for this job must now come back and run on-demand. */
export function fallbackDue(expiresAt: number | null, now: number, onlineFallbackBeforeMs: number): boolean {
  return expiresAt !== null && expiresAt - now <= onlineFallbackBeforeMs;
}

/**
 * The turnaround to plan with: the configured one until enough provider jobs were observed,
 * then the slowest of the recent ones (a conservative pick: a late batch costs a fallback,
 * an early one nothing).
 */
export function learnedTurnaround(
  configuredMs: number,
  observedMs: readonly number[],
  minObservations = 3,
): number {
  if (observedMs.length < minObservations) return configuredMs;
  return Math.max(...observedMs.slice(-20));
}
