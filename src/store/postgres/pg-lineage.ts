import type pg from "pg";
import type { LineageStore } from "../lineage-store.js";
import { type JobRow, jobFromRow } from "../rows.js";
import { query } from "./pg-connection.js";

type Row = JobRow & pg.QueryResultRow;

/** A batch's direct children, oldest first, paged by the last child's id ($2, null: first page). */
const CHILDREN_SQL = `
SELECT * FROM jobs WHERE parent_job_id = $1
  AND ($2::text IS NULL OR seq > (SELECT seq FROM jobs WHERE id = $2))
ORDER BY seq LIMIT $3`;

/**
 * A batch and every batch below it in creation order. `depth` bounds the recursion by itself:
 * a retry refuses to grow a lineage past its limit, so the walk never goes deeper than asked.
 */
const LINEAGE_SQL = `
WITH RECURSIVE lineage(id, depth) AS (
  SELECT id, 0 FROM jobs WHERE id = $1
  UNION ALL
  SELECT j.id, l.depth + 1 FROM jobs j JOIN lineage l ON j.parent_job_id = l.id WHERE l.depth < $2
)
SELECT jobs.* FROM jobs JOIN lineage ON jobs.id = lineage.id ORDER BY jobs.seq LIMIT $2`;

/** Retry lineage on PostgreSQL (LineageStore), on the `jobs_parent` index (migration 0011). */
export function pgLineage(pool: pg.Pool): LineageStore {
  return {
    async listChildJobs(parentId, q) {
      const rows = await query<Row>(pool, CHILDREN_SQL, [parentId, q.after ?? null, q.limit]);
      return rows.map(jobFromRow);
    },
    async listLineage(rootId, limit) {
      const rows = await query<Row>(pool, LINEAGE_SQL, [rootId, limit]);
      return rows.map(jobFromRow);
    },
  };
}
