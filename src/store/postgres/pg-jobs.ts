import type pg from "pg";
import { CANCELLABLE_JOB_STATUSES } from "../../domain/job-transitions.js";
import type { JobStore } from "../job-store.js";
import { type JobRow, jobFromRow } from "../rows.js";
import { sqlList } from "../sql-list.js";
import { query, transaction } from "./pg-connection.js";

type Row = JobRow & pg.QueryResultRow;

/** Jobs on PostgreSQL (JobStore). */
export function pgJobs(pool: pg.Pool): JobStore {
  return {
    async insertJob(j) {
      const [row] = await query<Row>(
        pool,
        `INSERT INTO jobs (id, status, endpoint, input_file_id, completion_window, metadata, created_at, expires_at,
         webhook_url, output_expires_after_s, format, model)
       VALUES ($1, 'validating', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`,
        [
          j.id,
          j.endpoint,
          j.inputFileId,
          j.completionWindow,
          j.metadata ? JSON.stringify(j.metadata) : null,
          j.createdAt,
          j.expiresAt,
          j.webhookUrl ?? null,
          j.outputExpiresAfterSeconds ?? null,
          j.format ?? "openai",
          j.model ?? null,
        ],
      );
      return jobFromRow(row!);
    },

    async getJob(id) {
      const [row] = await query<Row>(pool, "SELECT * FROM jobs WHERE id = $1", [id]);
      return row && jobFromRow(row);
    },

    async listJobs(q) {
      const rows = await query<Row>(
        pool,
        `SELECT * FROM jobs WHERE ($1::text IS NULL OR seq < (SELECT seq FROM jobs WHERE id = $1))
         AND ($3::text IS NULL OR kind = $3)
       ORDER BY seq DESC LIMIT $2`,
        [q.after ?? null, q.limit, q.kind ?? null],
      );
      return rows.map(jobFromRow);
    },

    async cancelJob(id, now) {
      // The job row is locked first (unlike acknowledgements) so that a concurrent
      // finishValidation waits and then sees `cancelling`, and cancels what it inserted.
      return transaction(pool, async (c) => {
        const moved = await c.query(
          `UPDATE jobs SET status = 'cancelling', end_status = 'cancelled', cancelling_at = $1
         WHERE id = $2 AND status IN (${sqlList(CANCELLABLE_JOB_STATUSES)})`,
          [now, id],
        );
        if ((moved.rowCount ?? 0) > 0) {
          const n = await c.query(
            "UPDATE records SET state = 'cancelled', finished_at = $1 WHERE job_id = $2 AND state = 'pending'",
            [now, id],
          );
          await c.query("UPDATE jobs SET cancelled = cancelled + $1 WHERE id = $2", [n.rowCount ?? 0, id]);
        }
        const { rows } = await c.query<JobRow>("SELECT * FROM jobs WHERE id = $1", [id]);
        return rows[0] && jobFromRow(rows[0]);
      });
    },
  };
}
