import type { Job } from "../domain/job.js";

/**
 * Docket extension on the batch objects (docs/dedup-and-cache.md): what the batch asked for and
 * what identical requests once saved it. Official SDKs ignore members they do not know.
 */
export interface DedupUsageView {
  /** The batch's `docket_dedup` / `docket_cache`; null: its routes' settings. */
  dedup: boolean | null;
  cache: boolean | null;
  /** Requests answered by an identical request's call in the same batch. */
  deduplicated_requests: number;
  /** Requests answered from the response cache. */
  cached_requests: number;
  /** Tokens those requests did not use, and their price at the on-demand rate (0 when unknown). */
  saved_input_tokens: number;
  saved_output_tokens: number;
  saved_usd: number;
}

/** The view, or undefined for a batch that asked for neither and saved nothing (its object stays as it was). */
export function dedupUsageView(job: Job): DedupUsageView | undefined {
  const d = job.dedup;
  if (!d) return undefined;
  if (d.dedup === null && d.cache === null && d.deduplicated === 0 && d.cached === 0) return undefined;
  return {
    dedup: d.dedup,
    cache: d.cache,
    deduplicated_requests: d.deduplicated,
    cached_requests: d.cached,
    saved_input_tokens: d.savedInputTokens,
    saved_output_tokens: d.savedOutputTokens,
    // Cents' fractions from summing many small products are noise.
    saved_usd: Math.round(d.savedUsd * 1e6) / 1e6,
  };
}
