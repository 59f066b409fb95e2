import type { LineageStore } from "../lineage-store.js";
import { type JobRow, jobFromRow } from "../rows.js";
import type { SqliteDatabase } from "./sqlite-driver.js";

/** Retry lineage on SQLite (LineageStore), on the `jobs_parent` index (migration 0012). */
export function sqliteLineage(db: SqliteDatabase): LineageStore {
  const children = db.prepare<[string, string | null, string | null, number], JobRow>(
    `SELECT * FROM jobs WHERE parent_job_id = ?
       AND (? IS NULL OR seq > (SELECT seq FROM jobs WHERE id = ?))
     ORDER BY seq LIMIT ?`,
  );
  // The recursion stops at the limit too (SQLite honours a LIMIT on a recursive CTE), so a
  // lineage larger than asked for costs no more than the rows returned.
  const lineage = db.prepare<[string, number, number], JobRow>(
    `WITH RECURSIVE lineage(id) AS (
       SELECT id FROM jobs WHERE id = ?
       UNION ALL
       SELECT j.id FROM jobs j JOIN lineage l ON j.parent_job_id = l.id
       LIMIT ?
     )
     SELECT jobs.* FROM jobs JOIN lineage ON jobs.id = lineage.id ORDER BY jobs.seq LIMIT ?`,
  );
  return {
    async listChildJobs(parentId, q) {
      return children.all(parentId, q.after ?? null, q.after ?? null, q.limit).map(jobFromRow);
    },
    async listLineage(rootId, limit) {
      return lineage.all(rootId, limit, limit).map(jobFromRow);
    },
  };
}
