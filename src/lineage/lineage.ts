import { DocketError } from "../domain/errors.js";
import { isTerminalJobStatus, type Job } from "../domain/job.js";
import type { JobStore, LineageStore } from "../store/store.js";

/**
 * Batches one lineage may hold, root included. A retry that would pass it is refused, so every
 * walk of a lineage (merged results read one cursor per batch) stays bounded.
 */
export const MAX_LINEAGE_BATCHES = 100;

/** A retry lineage: the batch made from a file, and every retry below it in creation order. */
export interface Lineage {
  root: Job;
  /** Root first, then every descendant in creation order (a later batch's result is newer). */
  batches: Job[];
}

/**
 * The whole lineage `job` belongs to, from its root down, whichever batch of it is asked about.
 * A root pruned by retention (its records gone) is an error: merged results start from it.
 */
export async function lineageOf(store: Pick<JobStore, "getJob"> & LineageStore, job: Job): Promise<Lineage> {
  let root = job;
  for (let hops = 0; root.parentJobId; hops++) {
    if (hops >= MAX_LINEAGE_BATCHES) throw tooLarge(job.id);
    const parent = await store.getJob(root.parentJobId);
    if (!parent) {
      throw new DocketError(
        "lineage_root_gone",
        `Batch ${root.id} retries ${root.parentJobId}, which no longer exists (its results expired), so the ` +
          `lineage of ${job.id} cannot be merged; read each remaining batch's results on its own.`,
        410,
      );
    }
    root = parent;
  }
  const batches = await store.listLineage(root.id, MAX_LINEAGE_BATCHES + 1);
  if (batches.length > MAX_LINEAGE_BATCHES) throw tooLarge(job.id);
  return { root, batches };
}

/** Refuses a lineage with a batch still running: its results are not final yet. */
export function requireEnded(lineage: Lineage, what: string): void {
  const open = lineage.batches.find((b) => !isTerminalJobStatus(b.status));
  if (!open) return;
  throw new DocketError(
    "lineage_not_finished",
    `Batch ${open.id} of this lineage is ${open.status}; ${what} once every batch of the lineage has ended ` +
      `(docket status ${open.id} --wait).`,
    409,
  );
}

function tooLarge(id: string): DocketError {
  return new DocketError(
    "lineage_too_large",
    `The lineage of batch ${id} holds ${MAX_LINEAGE_BATCHES} batches, the most one lineage may hold; ` +
      "start a new batch from a file instead of retrying again.",
    400,
  );
}
