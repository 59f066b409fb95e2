import { VALIDATION_HELD_JOB_STATUSES } from "../../domain/job-transitions.js";
import type { NewRecord } from "../../domain/record.js";
import { RESET_CACHE_COUNTS } from "../dedup-rows.js";
import { sqlList } from "../sql-list.js";
import { COUNT_VALIDATION_CLAIM, type ValidationStore } from "../validation-store.js";
import { BODY_PART_BYTES, BODY_PART_CHARS, type SqliteBodyParts } from "./sqlite-body-parts.js";
import { sqliteDedupInserts } from "./sqlite-dedup.js";
import type { SqliteShared } from "./sqlite-shared.js";

/** Validation on SQLite (ValidationStore): a job's input file becoming its records. */
export function sqliteValidation(
  { db, getJob, unsyncedWrite, statement }: SqliteShared,
  bodyParts: SqliteBodyParts,
): ValidationStore {
  const insertRecord = db.prepare(
    `INSERT INTO records (job_id, position, line, custom_id, custom_id_json, route, body, max_attempts)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const renew = db.prepare(
    `UPDATE jobs SET validation_lease_until = ?, validation_progress = MAX(validation_progress, ?)
     WHERE id = ? AND validation_owner = ? AND status IN (${sqlList(VALIDATION_HELD_JOB_STATUSES)})`,
  );
  // A record that failed its own validation (NewRecord.failure) is stored finished and counted.
  const dedupInserts = sqliteDedupInserts(db);
  const insertFailed = db.prepare(
    `INSERT INTO records (job_id, position, line, custom_id, custom_id_json, route, body, max_attempts,
       state, error_code, error_message, finished_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'failed', ?, ?, ?)`,
  );
  /** Inserts one chunk; the caller holds the transaction. */
  const insertChunk = (jobId: string, records: NewRecord[], maxAttempts: number) => {
    let failed = 0;
    const deduped = dedupInserts(jobId, maxAttempts);
    for (const r of records) {
      // Identical requests once (docs/dedup-and-cache.md): only jobs that dedup or cache get here
      // (never with a body for parts: validation does not dedup those).
      if (r.dedup && !r.failure && typeof r.body === "string" && r.body.length <= BODY_PART_CHARS) {
        deduped.insert(r);
        continue;
      }
      if (r.failure) {
        // Never sent, so its body is not kept whole: the error says what was wrong with it.
        insertFailed.run(
          jobId,
          r.position,
          r.line,
          r.customId,
          r.customIdJson ?? null,
          r.route,
          "",
          maxAttempts,
          r.failure.code,
          r.failure.message,
          Date.now(),
        );
        failed++;
        continue;
      }
      // A large body goes in parts (sqlite-body-parts.ts): the row stays small for its UPDATEs.
      const { body } = r;
      const bytes = typeof body === "string" ? null : body;
      const large = bytes ? bytes.length > BODY_PART_BYTES : body.length > BODY_PART_CHARS;
      const { lastInsertRowid } = insertRecord.run(
        jobId,
        r.position,
        r.line,
        r.customId,
        r.customIdJson ?? null,
        r.route,
        large ? "" : bytes ? bytes.toString("utf8") : body,
        maxAttempts,
      );
      // A body given as bytes is written from them: no string copy of a big line.
      if (large && bytes) bodyParts.writeBytes(lastInsertRowid, bytes);
      else if (large) bodyParts.write(lastInsertRowid, body as string);
    }
    if (failed > 0) statement("UPDATE jobs SET failed = failed + ? WHERE id = ?").run(failed, jobId);
    deduped.finish();
  };
  return {
    async claimValidation(owner, leaseMs, now) {
      // A lease: not fsynced (unsyncedWrite). Lost to a power cut, the file is only validated again;
      // the next fsynced commit (its records, its start) makes it durable before anything depends on it.
      return unsyncedWrite(() => {
        const row = statement(
          `SELECT id, validation_lease_until FROM jobs WHERE status = 'validating'
               AND (validation_lease_until IS NULL OR validation_lease_until < ?) ORDER BY seq LIMIT 1`,
        ).get(now) as { id: string; validation_lease_until: number | null } | undefined;
        if (!row) return undefined;
        // A previous holder died part-way: start the file again from a clean slate.
        if (row.validation_lease_until !== null) {
          statement("DELETE FROM records WHERE job_id = ?").run(row.id);
          // Records that failed their own validation (or came from the cache) were counted as they were inserted.
          statement(`UPDATE jobs SET failed = 0, ${RESET_CACHE_COUNTS} WHERE id = ?`).run(row.id);
        }
        statement(
          `UPDATE jobs SET validation_owner = ?, validation_lease_until = ?, ${COUNT_VALIDATION_CLAIM}
             WHERE id = ?`,
        ).run(owner, now + leaseMs, row.id);
        return getJob(row.id);
      });
    },

    async renewValidation(jobId, owner, leaseUntil, progress = 0) {
      // A lease extension, not fsynced, like a claim (unsyncedWrite): progress lost to a power cut
      // only makes the next attempt count as a strike.
      const r = unsyncedWrite(() => renew.run(leaseUntil, progress, jobId, owner));
      return r.changes > 0;
    },

    async insertRecords(jobId, records, maxAttempts) {
      db.transaction(() => insertChunk(jobId, records, maxAttempts)).immediate();
    },

    async finishValidation(jobId, total, now, model, last) {
      return db
        .transaction(() => {
          // The last chunk commits with the start: one fsync fewer before the first request.
          for (const c of last ?? []) insertChunk(jobId, c.records, c.maxAttempts);
          const started = statement(
            `UPDATE jobs SET status = 'in_progress', total = ?, in_progress_at = ?, validation_lease_until = NULL,
               model = COALESCE(?, model)
             WHERE id = ? AND status = 'validating'`,
          ).run(total, now, model ?? null, jobId);
          if (started.changes > 0) return true;
          const cancelled = statement(
            `UPDATE records SET state = 'cancelled', finished_at = ? WHERE job_id = ? AND state = 'pending'`,
          ).run(now, jobId).changes;
          statement(
            `UPDATE jobs SET total = ?, cancelled = cancelled + ?, validation_lease_until = NULL
             WHERE id = ? AND status = 'cancelling'`,
          ).run(total, cancelled, jobId);
          return false;
        })
        .immediate();
    },

    async failValidation(jobId, errors, now) {
      db.transaction(() => {
        statement("DELETE FROM records WHERE job_id = ?").run(jobId);
        statement(
          `UPDATE jobs SET status = 'failed', failed_at = ?, errors = ?, validation_lease_until = NULL, failed = 0,
             ${RESET_CACHE_COUNTS}
             WHERE id = ? AND status IN (${sqlList(VALIDATION_HELD_JOB_STATUSES)})`,
        ).run(now, JSON.stringify(errors), jobId);
      }).immediate();
    },
  };
}
