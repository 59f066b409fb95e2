import type pg from "pg";
import { OPEN_JOB_STATUSES, type ProjectUsageStore } from "../project-usage-store.js";
import { num } from "../rows.js";
import { sqlList } from "../sql-list.js";
import { query } from "./pg-connection.js";

/** One round trip: the project's open jobs and their unfinished records (counters), and its files' bytes. */
const PROJECT_USAGE_SQL = `
SELECT
  (SELECT count(*) FROM jobs WHERE project_id = $1 AND status IN (${sqlList(OPEN_JOB_STATUSES)})) AS open_jobs,
  (SELECT COALESCE(sum(total - succeeded - failed - cancelled - expired), 0) FROM jobs
     WHERE project_id = $1 AND status IN (${sqlList(OPEN_JOB_STATUSES)})) AS queued,
  (SELECT COALESCE(sum(bytes), 0) FROM files WHERE project_id = $1) AS bytes
`;

/** A project's usage on PostgreSQL (ProjectUsageStore). */
export function pgProjectUsage(pool: pg.Pool): ProjectUsageStore {
  return {
    async projectUsage(projectId) {
      const [row] = await query<{ open_jobs: string; queued: string; bytes: string } & pg.QueryResultRow>(
        pool,
        PROJECT_USAGE_SQL,
        [projectId],
      );
      return {
        openJobs: num(row!.open_jobs),
        queuedRecords: Math.max(0, num(row!.queued)),
        storedBytes: num(row!.bytes),
      };
    },
  };
}
