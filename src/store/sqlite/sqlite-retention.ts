import { ENDED_JOB_STATUSES } from "../../domain/job-transitions.js";
import { prunableProviderJobsWhere } from "../provider-job-prune-sql.js";
import type { RetentionStore } from "../retention-store.js";
import { type FileRow, fileFromRow } from "../rows.js";
import { sqlList } from "../sql-list.js";
import type { SqliteShared } from "./sqlite-shared.js";

/** Retention on SQLite (RetentionStore): bounded sweeps of expired files and old ended jobs. */
export function sqliteRetention({ db, jobTargets }: SqliteShared): RetentionStore {
  return {
    async pruneExpired(now, limit, retainJobsMs) {
      return db
        .transaction(() => {
          const files = (
            db
              .prepare("SELECT * FROM files WHERE expires_at <= ? ORDER BY expires_at LIMIT ?")
              .all(now, limit) as FileRow[]
          ).map(fileFromRow);
          const dropFile = db.prepare("DELETE FROM files WHERE id = ?");
          for (const f of files) dropFile.run(f.id);
          // A job is kept while its output or error file is: the file's expiry decides, not the job's.
          const jobIds = (
            db
              .prepare(
                `SELECT id FROM jobs j
               WHERE status IN (${sqlList(ENDED_JOB_STATUSES)})
                 AND COALESCE(completed_at, failed_at, expired_at, cancelled_at) <= ?
                 AND (output_file_id IS NULL OR NOT EXISTS (SELECT 1 FROM files f WHERE f.id = j.output_file_id))
                 AND (error_file_id IS NULL OR NOT EXISTS (SELECT 1 FROM files f WHERE f.id = j.error_file_id))
               ORDER BY seq LIMIT ?`,
              )
              .all(now - retainJobsMs, limit) as Array<{ id: string }>
          ).map((r) => r.id);
          const dropRecords = db.prepare("DELETE FROM records WHERE job_id = ?");
          const dropJob = db.prepare("DELETE FROM jobs WHERE id = ?");
          for (const id of jobIds) {
            dropRecords.run(id);
            dropJob.run(id);
            jobTargets.delete(id);
          }
          return { files, jobs: jobIds.length };
        })
        .immediate();
    },

    async pruneProviderJobs(now, limit, retainMs) {
      return db
        .transaction(() => {
          const ids = (
            db
              .prepare(
                `SELECT p.id FROM provider_jobs p WHERE ${prunableProviderJobsWhere("?")} ORDER BY p.created_at LIMIT ?`,
              )
              .all(now - retainMs, limit) as Array<{ id: string }>
          ).map((r) => r.id);
          const dropShares = db.prepare("DELETE FROM provider_job_members WHERE provider_job_id = ?");
          const dropProviderJob = db.prepare("DELETE FROM provider_jobs WHERE id = ?");
          for (const id of ids) {
            dropShares.run(id);
            dropProviderJob.run(id);
          }
          return ids.length;
        })
        .immediate();
    },
  };
}
