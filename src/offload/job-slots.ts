import type { ProviderJob } from "../domain/provider-job.js";

/**
 * How many more provider jobs a route may start now. The provider's own count (`inFlight`,
 * jobs made by anyone for the model) already includes Docket's jobs that reached it; Docket's
 * rows not yet at the provider (packing, uploading, submitting) are added on top, and Docket's
 * running rows are a floor (the provider's listing may lag a job just created).
 */
export function freeSlots(
  maxJobsInFlight: number,
  providerInFlight: number,
  open: readonly ProviderJob[],
): number {
  let notYetThere = 0;
  let atProvider = 0;
  for (const j of open) {
    if (j.state === "packing" || j.state === "uploading" || j.state === "submitting") notYetThere++;
    else if (j.state === "running") atProvider++;
  }
  return Math.max(0, maxJobsInFlight - Math.max(providerInFlight, atProvider) - notYetThere);
}

/** Estimated tokens the route may still enqueue (OpenAI's per-model queue limit); null: no limit. */
export function tokenRoom(maxEnqueuedTokens: number | null, open: readonly ProviderJob[]): number | null {
  if (maxEnqueuedTokens === null) return null;
  let enqueued = 0;
  for (const j of open) if (j.state !== "ingesting") enqueued += j.estimatedTokens;
  return Math.max(0, maxEnqueuedTokens - enqueued);
}
