import type pg from "pg";
import type { RetentionStore } from "../retention-store.js";
import { type FileRow, fileFromRow } from "../rows.js";
import { transaction } from "./pg-connection.js";
import { PRUNE_FILES_SQL, PRUNE_JOBS_SQL, PRUNE_PROVIDER_JOBS_SQL } from "./prune-sql.js";

/** Retention on PostgreSQL (RetentionStore). */
export function pgRetention(pool: pg.Pool): RetentionStore {
  return {
    async pruneExpired(now, limit, retainJobsMs) {
      // One transaction: if the job sweep fails, the file rows come back too, so the caller never
      // loses track of blobs whose rows are gone.
      return transaction(pool, async (c) => {
        const files = (await c.query<FileRow>(PRUNE_FILES_SQL, [now, limit])).rows
          .map(fileFromRow)
          .sort((a, b) => (a.expiresAt ?? 0) - (b.expiresAt ?? 0));
        const jobs = await c.query(PRUNE_JOBS_SQL, [now - retainJobsMs, limit]);
        return { files, jobs: jobs.rowCount ?? 0 };
      });
    },

    async pruneProviderJobs(now, limit, retainMs) {
      const pruned = await pool.query(PRUNE_PROVIDER_JOBS_SQL, [now - retainMs, limit]);
      return pruned.rowCount ?? 0;
    },
  };
}
