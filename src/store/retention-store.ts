import type { StoredFile } from "../domain/file.js";

/** Retention: what has outlived its keep-time goes, in bounded sweeps. */
export interface RetentionStore {
  /**
   * One bounded retention sweep: deletes up to `limit` file rows whose `expiresAt` ≤ now and
   * returns them (the caller deletes their blobs), then up to `limit` terminal jobs, with their
   * records, that ended at least `retainJobsMs` ago and whose output and error files are gone.
   * Call again while it returns anything.
   */
  pruneExpired(
    now: number,
    limit: number,
    retainJobsMs: number,
  ): Promise<{ files: StoredFile[]; jobs: number }>;
  /**
   * One bounded sweep of provider jobs (issue 13): deletes up to `limit` ended provider jobs,
   * with their per-Docket-job shares, whose Docket jobs are all gone, or that ended at least
   * `retainMs` ago and whose Docket jobs have all ended (provider-job-prune-sql.ts). Returns how
   * many. Call again while it returns anything.
   */
  pruneProviderJobs(now: number, limit: number, retainMs: number): Promise<number>;
}
