import type pg from "pg";
import { CANCELLABLE_JOB_STATUSES, ENDED_JOB_STATUSES } from "../../domain/job-transitions.js";
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
         webhook_url, output_expires_after_s, format, model, project_id, parent_job_id, pinned_route, dedup, cache)
       VALUES ($1, 'validating', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING *`,
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
          j.projectId,
          j.parentJobId ?? null,
          j.pinnedRoute ?? null,
          j.dedup?.dedup ?? null,
          j.dedup?.cache ?? null,
        ],
      );
      return jobFromRow(row!);
    },

    async getJob(id) {
      const [row] = await query<Row>(pool, "SELECT * FROM jobs WHERE id = $1", [id]);
      return row && jobFromRow(row);
    },

    async listJobs(q) {
      // `before` pages towards newer jobs: the nearest ones first, then turned newest first.
      const rows = await query<Row>(
        pool,
        `SELECT * FROM jobs WHERE ($1::text IS NULL OR seq < (SELECT seq FROM jobs WHERE id = $1))
         AND ($3::text IS NULL OR kind = $3)
         AND ($4::text IS NULL OR seq > (SELECT seq FROM jobs WHERE id = $4))
         AND ($5::text[] IS NULL OR format = ANY($5::text[]))
         AND ($6::text IS NULL OR project_id = $6)
       ORDER BY seq ${q.before ? "ASC" : "DESC"} LIMIT $2`,
        [
          q.after ?? null,
          q.limit,
          q.kind ?? null,
          q.before ?? null,
          q.formats ? [...q.formats] : null,
          q.projectId ?? null,
        ],
      );
      if (q.before) rows.reverse();
      return rows.map(jobFromRow);
    },

    async deleteJob(id) {
      // Records first, in one transaction; invocation and webhook rows go with the job (ON DELETE CASCADE).
      return transaction(pool, async (c) => {
        const job = await c.query(
          `SELECT 1 FROM jobs WHERE id = $1 AND status IN (${sqlList(ENDED_JOB_STATUSES)}) FOR UPDATE`,
          [id],
        );
        if ((job.rowCount ?? 0) === 0) return false;
        await c.query("DELETE FROM records WHERE job_id = $1", [id]);
        await c.query("DELETE FROM jobs WHERE id = $1", [id]);
        return true;
      });
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
