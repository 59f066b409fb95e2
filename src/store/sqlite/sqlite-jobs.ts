import { CANCELLABLE_JOB_STATUSES } from "../../domain/job-transitions.js";
import { CANCELLABLE_RECORD_STATES } from "../../domain/record-transitions.js";
import type { JobStore } from "../job-store.js";
import { type JobRow, jobFromRow } from "../rows.js";
import { sqlList } from "../sql-list.js";
import type { SqliteShared } from "./sqlite-shared.js";

/** Jobs on SQLite (JobStore). */
export function sqliteJobs({ db, getJob, addCounts }: SqliteShared): JobStore {
  return {
    async insertJob(j) {
      db.prepare(
        `INSERT INTO jobs (id, status, endpoint, input_file_id, completion_window, metadata, created_at, expires_at, webhook_url,
           output_expires_after_s, format, model)
         VALUES (?, 'validating', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
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
      );
      return getJob(j.id)!;
    },

    async getJob(id) {
      return getJob(id);
    },

    async listJobs(q) {
      const rows = db
        .prepare(
          `SELECT * FROM jobs WHERE (? IS NULL OR seq < (SELECT seq FROM jobs WHERE id = ?))
           AND (? IS NULL OR kind = ?)
         ORDER BY seq DESC LIMIT ?`,
        )
        .all(q.after ?? null, q.after ?? null, q.kind ?? null, q.kind ?? null, q.limit) as JobRow[];
      return rows.map(jobFromRow);
    },

    async cancelJob(id, now) {
      return db
        .transaction(() => {
          const r = db
            .prepare(
              `UPDATE jobs SET status = 'cancelling', end_status = 'cancelled', cancelling_at = ?
             WHERE id = ? AND status IN (${sqlList(CANCELLABLE_JOB_STATUSES)})`,
            )
            .run(now, id);
          if (r.changes > 0) {
            const n = db
              .prepare(
                `UPDATE records SET state = 'cancelled', finished_at = ? WHERE job_id = ? AND state = ${sqlList(CANCELLABLE_RECORD_STATES)}`,
              )
              .run(now, id).changes;
            addCounts(id, { cancelled: n });
          }
          return getJob(id);
        })
        .immediate();
    },
  };
}
