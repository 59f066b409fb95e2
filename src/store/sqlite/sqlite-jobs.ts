import { CANCELLABLE_JOB_STATUSES, ENDED_JOB_STATUSES } from "../../domain/job-transitions.js";
import { CANCELLABLE_RECORD_STATES } from "../../domain/record-transitions.js";
import type { JobStore } from "../job-store.js";
import { type JobRow, jobFromRow } from "../rows.js";
import { sqlList } from "../sql-list.js";
import type { SqliteShared } from "./sqlite-shared.js";

/** Jobs on SQLite (JobStore). */
export function sqliteJobs({ db, getJob, addCounts, jobTargets, statement }: SqliteShared): JobStore {
  return {
    async insertJob(j) {
      statement(
        `INSERT INTO jobs (id, status, endpoint, input_file_id, completion_window, metadata, created_at, expires_at, webhook_url,
           output_expires_after_s, format, model, project_id, parent_job_id, pinned_route, dedup, cache)
         VALUES (?, 'validating', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
        j.projectId,
        j.parentJobId ?? null,
        j.pinnedRoute ?? null,
        sqliteFlag(j.dedup?.dedup),
        sqliteFlag(j.dedup?.cache),
      );
      return getJob(j.id)!;
    },

    async getJob(id) {
      return getJob(id);
    },

    async listJobs(q) {
      const formats = q.formats ? JSON.stringify(q.formats) : null;
      // `before` pages towards newer jobs: the nearest ones first, then turned newest first.
      const rows = statement(
        `SELECT * FROM jobs WHERE (? IS NULL OR seq < (SELECT seq FROM jobs WHERE id = ?))
           AND (? IS NULL OR seq > (SELECT seq FROM jobs WHERE id = ?))
           AND (? IS NULL OR kind = ?)
           AND (? IS NULL OR format IN (SELECT value FROM json_each(?)))
           AND (? IS NULL OR project_id = ?)
         ORDER BY seq ${q.before ? "ASC" : "DESC"} LIMIT ?`,
      ).all(
        q.after ?? null,
        q.after ?? null,
        q.before ?? null,
        q.before ?? null,
        q.kind ?? null,
        q.kind ?? null,
        formats,
        formats,
        q.projectId ?? null,
        q.projectId ?? null,
        q.limit,
      ) as JobRow[];
      if (q.before) rows.reverse();
      return rows.map(jobFromRow);
    },

    async deleteJob(id) {
      return db
        .transaction(() => {
          const ended = statement(
            `SELECT 1 FROM jobs WHERE id = ? AND status IN (${sqlList(ENDED_JOB_STATUSES)})`,
          ).get(id);
          if (!ended) return false;
          // Body parts go with their records (ON DELETE CASCADE); webhook rows with the job (trigger).
          statement("DELETE FROM records WHERE job_id = ?").run(id);
          statement("DELETE FROM jobs WHERE id = ?").run(id);
          jobTargets.delete(id);
          return true;
        })
        .immediate();
    },

    async cancelJob(id, now) {
      return db
        .transaction(() => {
          const r = statement(
            `UPDATE jobs SET status = 'cancelling', end_status = 'cancelled', cancelling_at = ?
             WHERE id = ? AND status IN (${sqlList(CANCELLABLE_JOB_STATUSES)})`,
          ).run(now, id);
          if (r.changes > 0) {
            const n = statement(
              `UPDATE records SET state = 'cancelled', finished_at = ? WHERE job_id = ? AND state = ${sqlList(CANCELLABLE_RECORD_STATES)}`,
            ).run(now, id).changes;
            addCounts(id, { cancelled: n });
          }
          return getJob(id);
        })
        .immediate();
    },
  };
}

/** A yes/no/unset option as SQLite stores it (no boolean type): 1, 0 or NULL. */
function sqliteFlag(v: boolean | null | undefined): number | null {
  return v == null ? null : v ? 1 : 0;
}
