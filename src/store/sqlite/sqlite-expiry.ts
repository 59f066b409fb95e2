import type { JobStatus } from "../../domain/job.js";
import { EXPIRABLE_JOB_STATUSES } from "../../domain/job-transitions.js";
import { notFinishedNext, OPEN_RECORD_STATES } from "../../domain/record-transitions.js";
import type { ExpiryStore } from "../expiry-store.js";
import { NOT_PROVIDER_HELD_SQL } from "../provider-job-rows.js";
import { sqlList } from "../sql-list.js";
import type { SqliteShared } from "./sqlite-shared.js";

/** Lapsed leases and expired jobs on SQLite (ExpiryStore). */
export function sqliteExpiry({ db, addCounts }: SqliteShared): ExpiryStore {
  const requeue = db.prepare(
    `UPDATE records SET state = 'pending', run_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?`,
  );
  const endRecord = db.prepare(
    `UPDATE records SET state = ?, error_code = ?, error_message = ?, finished_at = ?,
       lease_owner = NULL, lease_until = NULL WHERE id = ?`,
  );
  return {
    async requeueExpiredLeases(now) {
      return db
        .transaction(() => {
          const rows = db
            .prepare(
              `SELECT r.id, r.job_id, r.attempt, r.released, r.max_attempts, j.status AS job_status
             FROM records r JOIN jobs j ON j.id = r.job_id
             WHERE r.state = 'running' AND r.lease_until < ? AND ${NOT_PROVIDER_HELD_SQL} LIMIT 5000`,
            )
            .all(now) as Array<{
            id: number;
            job_id: string;
            attempt: number;
            released: number;
            max_attempts: number;
            job_status: JobStatus;
          }>;
          for (const r of rows) {
            const next = notFinishedNext(r.job_status, {
              attempt: r.attempt,
              released: r.released,
              maxAttempts: r.max_attempts,
            });
            if (next === "cancelled") {
              endRecord.run("cancelled", "cancelled", "The batch was cancelled.", now, r.id);
              addCounts(r.job_id, { cancelled: 1 });
            } else if (next === "failed") {
              const msg = `The request was attempted ${r.max_attempts} times and its worker stopped answering each time.`;
              endRecord.run("failed", "attempts_exhausted", msg, now, r.id);
              addCounts(r.job_id, { failed: 1 });
            } else {
              requeue.run(now, r.id);
            }
          }
          return rows.length;
        })
        .immediate();
    },

    async expireAllLeases(now) {
      db.transaction(() => {
        // Records a provider job holds stay held: the provider may still run them (provider-job-store.ts).
        db.prepare(
          `UPDATE records AS r SET lease_until = ? WHERE state = 'running' AND ${NOT_PROVIDER_HELD_SQL}`,
        ).run(now - 1);
        db.prepare("UPDATE jobs SET validation_lease_until = ? WHERE validation_lease_until IS NOT NULL").run(
          now - 1,
        );
      }).immediate();
    },

    async expireJobs(now) {
      return db
        .transaction(() => {
          const ids = (
            db
              .prepare(
                `SELECT id FROM jobs WHERE expires_at <= ? AND status IN (${sqlList(EXPIRABLE_JOB_STATUSES)})`,
              )
              .all(now) as Array<{ id: string }>
          ).map((r) => r.id);
          for (const id of ids) {
            const n = db
              .prepare(
                `UPDATE records SET state = 'expired', error_code = 'batch_expired',
                 error_message = 'This request could not be executed before the completion window expired.',
                 finished_at = ?, lease_owner = NULL, lease_until = NULL
               WHERE job_id = ? AND state IN (${sqlList(OPEN_RECORD_STATES)})`,
              )
              .run(now, id).changes;
            addCounts(id, { expired: n });
            db.prepare(
              `UPDATE jobs SET status = 'finalizing', end_status = 'expired', finalizing_at = ?,
                 validation_lease_until = NULL WHERE id = ?`,
            ).run(now, id);
          }
          return ids;
        })
        .immediate();
    },
  };
}
