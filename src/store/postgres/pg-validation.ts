import type pg from "pg";
import { VALIDATION_HELD_JOB_STATUSES } from "../../domain/job-transitions.js";
import type { NewRecord } from "../../domain/record.js";
import { RESET_CACHE_COUNTS } from "../dedup-rows.js";
import { type JobRow, jobFromRow } from "../rows.js";
import { sqlList } from "../sql-list.js";
import { COUNT_VALIDATION_CLAIM, type ValidationStore } from "../validation-store.js";
import { query, transaction } from "./pg-connection.js";
import { pgInsertDedupRecords } from "./pg-dedup.js";

/** Validation on PostgreSQL (ValidationStore): a job's input file becoming its records. */
export function pgValidation(pool: pg.Pool): ValidationStore {
  return {
    async claimValidation(owner, leaseMs, now) {
      return transaction(pool, async (c) => {
        const { rows } = await c.query<{ id: string; validation_lease_until: number | null }>(
          `SELECT id, validation_lease_until FROM jobs WHERE status = 'validating'
           AND (validation_lease_until IS NULL OR validation_lease_until < $1)
         ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED`,
          [now],
        );
        const job = rows[0];
        if (!job) return undefined;
        // A previous holder died part-way: start the file again from a clean slate.
        if (job.validation_lease_until !== null) {
          await c.query("DELETE FROM records WHERE job_id = $1", [job.id]);
          // Records that failed their own validation (or came from the cache) were counted as they were inserted.
          await c.query(`UPDATE jobs SET failed = 0, ${RESET_CACHE_COUNTS} WHERE id = $1`, [job.id]);
        }
        const updated = await c.query<JobRow>(
          `UPDATE jobs SET validation_owner = $1, validation_lease_until = $2, ${COUNT_VALIDATION_CLAIM}
           WHERE id = $3 RETURNING *`,
          [owner, now + leaseMs, job.id],
        );
        return jobFromRow(updated.rows[0]!);
      });
    },

    async renewValidation(jobId, owner, leaseUntil, progress = 0) {
      const rows = await query(
        pool,
        `UPDATE jobs SET validation_lease_until = $1, validation_progress = GREATEST(validation_progress, $4)
       WHERE id = $2 AND validation_owner = $3 AND status IN (${sqlList(VALIDATION_HELD_JOB_STATUSES)}) RETURNING id`,
        [leaseUntil, jobId, owner, progress],
      );
      return rows.length > 0;
    },

    async insertRecords(jobId, records, maxAttempts) {
      if (records.length === 0) return;
      // Plain requests alone: one statement, its own transaction.
      if (!records.some((r) => r.failure || r.dedup)) {
        await insertSent(pool, jobId, records, maxAttempts);
        return;
      }
      await transaction(pool, (c) => insertChunk(c, jobId, records, maxAttempts));
    },

    async finishValidation(jobId, total, now, model, last) {
      return transaction(pool, async (c) => {
        // The last chunk commits with the start: one commit fewer before the first request.
        for (const chunk of last ?? []) await insertChunk(c, jobId, chunk.records, chunk.maxAttempts);
        const started = await c.query(
          `UPDATE jobs SET status = 'in_progress', total = $1, in_progress_at = $2, validation_lease_until = NULL,
           model = COALESCE($4, model)
         WHERE id = $3 AND status = 'validating'`,
          [total, now, jobId, model ?? null],
        );
        if ((started.rowCount ?? 0) > 0) return true;
        // Cancelled while validating (cancelJob locked the job first, so this sees its status).
        const cancelled = await c.query(
          "UPDATE records SET state = 'cancelled', finished_at = $1 WHERE job_id = $2 AND state = 'pending'",
          [now, jobId],
        );
        await c.query(
          `UPDATE jobs SET total = $1, cancelled = cancelled + $2, validation_lease_until = NULL
         WHERE id = $3 AND status = 'cancelling'`,
          [total, cancelled.rowCount ?? 0, jobId],
        );
        return false;
      });
    },

    async failValidation(jobId, errors, now) {
      await transaction(pool, async (c) => {
        await c.query("DELETE FROM records WHERE job_id = $1", [jobId]);
        await c.query(
          `UPDATE jobs SET status = 'failed', failed_at = $1, errors = $2, validation_lease_until = NULL, failed = 0,
           ${RESET_CACHE_COUNTS}
         WHERE id = $3 AND status IN (${sqlList(VALIDATION_HELD_JOB_STATUSES)})`,
          [now, JSON.stringify(errors), jobId],
        );
      });
    },
  };
}

function insertSent(c: pg.Pool | pg.PoolClient, jobId: string, sent: NewRecord[], maxAttempts: number) {
  return c.query(
    `INSERT INTO records (job_id, position, line, custom_id, custom_id_json, route, body, max_attempts)
     SELECT $1, position, line, custom_id, custom_id_json, route, body, $7
     FROM unnest($2::int[], $3::int[], $4::text[], $5::text[], $6::text[], $8::text[])
       AS r(position, line, custom_id, route, body, custom_id_json)`,
    [
      jobId,
      sent.map((r) => r.position),
      sent.map((r) => r.line),
      sent.map((r) => r.customId),
      sent.map((r) => r.route),
      // A big line's body comes as UTF-8 bytes; PostgreSQL's text[] takes it as a string.
      sent.map((r) => (typeof r.body === "string" ? r.body : r.body.toString("utf8"))),
      maxAttempts,
      sent.map((r) => r.customIdJson ?? null),
    ],
  );
}

/** Inserts one chunk on `c`, which holds the transaction. */
async function insertChunk(c: pg.PoolClient, jobId: string, records: NewRecord[], maxAttempts: number) {
  if (records.length === 0) return;
  const sent = records.filter((r) => !r.failure);
  const failed = records.filter((r) => r.failure);
  // Identical requests once (docs/dedup-and-cache.md): only jobs that dedup or cache have `dedup` set.
  // With dedup, all of them together: ids (the claim order) stay in input order.
  if (sent.some((r) => r.dedup)) await pgInsertDedupRecords(c, jobId, sent, maxAttempts);
  else if (sent.length > 0) await insertSent(c, jobId, sent, maxAttempts);
  if (failed.length === 0) return;
  // Records that failed their own validation (NewRecord.failure) are stored finished and
  // counted in the same transaction; their bodies are never sent, so not kept.
  await c.query(
    `INSERT INTO records (job_id, position, line, custom_id, custom_id_json, route, body, max_attempts,
       state, error_code, error_message, finished_at)
     SELECT $1, position, line, custom_id, custom_id_json, route, '', $6, 'failed', code, message, $9
     FROM unnest($2::int[], $3::int[], $4::text[], $5::text[], $7::text[], $8::text[], $10::text[])
       AS r(position, line, custom_id, route, code, message, custom_id_json)`,
    [
      jobId,
      failed.map((r) => r.position),
      failed.map((r) => r.line),
      failed.map((r) => r.customId),
      failed.map((r) => r.route),
      maxAttempts,
      failed.map((r) => r.failure!.code),
      failed.map((r) => r.failure!.message),
      Date.now(),
      failed.map((r) => r.customIdJson ?? null),
    ],
  );
  await c.query("UPDATE jobs SET failed = failed + $1 WHERE id = $2", [failed.length, jobId]);
}
