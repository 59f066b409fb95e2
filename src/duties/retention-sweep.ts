import type { BlobStore } from "../blobs/blob-store.js";
import type { Store } from "../store/store.js";
import type { Duty } from "./duty.js";

export interface RetentionSweepOptions {
  store: Store;
  blobs: BlobStore;
  /** Keep a finished job's row this long after its output files are gone; null: forever. */
  retainJobsMs: number | null;
}

/** Rows deleted per store call: keeps each transaction (and its locks) short. */
const SWEEP_BATCH = 500;

/** Retention sweeps are rare: files expire in days, not seconds. */
const RETENTION_SWEEP_MS = 60_000;

/** A leader duty: the sweep below, first one interval after the lead is taken. */
export function retentionSweepDuty(o: RetentionSweepOptions, intervalMs = RETENTION_SWEEP_MS): Duty {
  const sweep = new RetentionSweep(o);
  return {
    name: "retention sweep",
    intervalMs,
    firstPass: "after-interval",
    pass: async () => {
      await sweep.sweep();
    },
  };
}

/**
 * Deletes files past their expiry (rows, then blobs), old finished jobs, and then the provider
 * jobs they leave behind (docs/provider-batch.md, "Retention"), in bounded steps.
 * A blob whose row is gone but whose delete failed is only wasted space, never a dangling row.
 */
export class RetentionSweep {
  constructor(private readonly o: RetentionSweepOptions) {}

  async sweep(now = Date.now()): Promise<{ files: number; jobs: number; providerJobs: number }> {
    const retain = this.o.retainJobsMs ?? Number.MAX_SAFE_INTEGER - now;
    const total = { files: 0, jobs: 0, providerJobs: 0 };
    try {
      for (;;) {
        const { files, jobs } = await this.o.store.pruneExpired(now, SWEEP_BATCH, retain);
        for (const f of files) await this.o.blobs.delete(f.blobKey).catch(() => {});
        total.files += files.length;
        total.jobs += jobs;
        if (files.length === 0 && jobs === 0) break;
      }
      // Provider jobs after the jobs: a Docket job pruned just now frees the provider jobs it was the last of.
      for (;;) {
        const pruned = await this.o.store.pruneProviderJobs(now, SWEEP_BATCH, retain);
        total.providerJobs += pruned;
        if (pruned === 0) break;
      }
    } catch (err) {
      console.error(`docket: retention sweep failed: ${(err as Error).message}`);
    }
    return total;
  }
}
