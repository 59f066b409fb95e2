import { OPEN_JOB_STATUSES, type ProjectUsageStore } from "../project-usage-store.js";
import { sqlList } from "../sql-list.js";
import type { SqliteDatabase } from "./sqlite-driver.js";

/** A project's usage on SQLite (ProjectUsageStore): two indexed aggregates, no record scanned. */
export function sqliteProjectUsage(db: SqliteDatabase): ProjectUsageStore {
  const jobs = db.prepare<[string], { open_jobs: number; queued: number | null }>(
    `SELECT count(*) AS open_jobs, sum(total - succeeded - failed - cancelled - expired) AS queued
     FROM jobs WHERE project_id = ? AND status IN (${sqlList(OPEN_JOB_STATUSES)})`,
  );
  const files = db.prepare<[string], { bytes: number | null }>(
    "SELECT sum(bytes) AS bytes FROM files WHERE project_id = ?",
  );
  return {
    async projectUsage(projectId) {
      const j = jobs.get(projectId)!;
      const f = files.get(projectId)!;
      return { openJobs: j.open_jobs, queuedRecords: Math.max(0, j.queued ?? 0), storedBytes: f.bytes ?? 0 };
    },
  };
}
