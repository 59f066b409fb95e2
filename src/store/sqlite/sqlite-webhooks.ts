import { ENDED_JOB_STATUSES } from "../../domain/job-transitions.js";
import { appendLog, type DeliveryRow, deliveryFromRow } from "../invocation-rows.js";
import { type JobRow, jobFromRow } from "../rows.js";
import { sqlList } from "../sql-list.js";
import type { WebhookStore } from "../webhook-store.js";
import type { SqliteDatabase } from "./sqlite-driver.js";

function prepareStatements(db: SqliteDatabase) {
  return {
    toNotify: db.prepare<[number], JobRow>(
      `SELECT * FROM jobs WHERE notified = 0 AND status IN (${sqlList(ENDED_JOB_STATUSES)})
       ORDER BY seq LIMIT ?`,
    ),
    insert: db.prepare(
      `INSERT INTO webhook_deliveries (id, job_id, event, url, payload, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (job_id, event) DO NOTHING`,
    ),
    markNotified: db.prepare<[string]>("UPDATE jobs SET notified = 1 WHERE id = ?"),
    due: db.prepare<[number, number], DeliveryRow>(
      `SELECT * FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= ?
       ORDER BY next_attempt_at LIMIT ?`,
    ),
    lease: db.prepare<[number, string]>("UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ?"),
    byId: db.prepare<[string], DeliveryRow>("SELECT * FROM webhook_deliveries WHERE id = ?"),
    record: db.prepare(
      `UPDATE webhook_deliveries SET state = ?, attempts = attempts + 1, next_attempt_at = ?, delivered_at = ?, log = ?
       WHERE id = ? AND state = 'pending'`,
    ),
    byJob: db.prepare<[string], DeliveryRow>(
      "SELECT * FROM webhook_deliveries WHERE job_id = ? ORDER BY seq",
    ),
  };
}

/** Webhook deliveries on SQLite (WebhookStore). */
export function sqliteWebhooks(db: SqliteDatabase): WebhookStore {
  const s = prepareStatements(db);
  return {
    async jobsToNotify(limit) {
      return s.toNotify.all(limit).map(jobFromRow);
    },

    async enqueueWebhook(jobId, d) {
      db.transaction(() => {
        if (d) s.insert.run(d.id, d.jobId, d.event, d.url, d.payload, d.createdAt, d.createdAt);
        s.markNotified.run(jobId);
      }).immediate();
    },

    async claimWebhookDeliveries(now, leaseMs, limit) {
      return db
        .transaction(() => {
          const rows = s.due.all(now, limit);
          for (const r of rows) s.lease.run(now + leaseMs, r.id);
          return rows.map(deliveryFromRow);
        })
        .immediate();
    },

    async recordWebhookAttempt(id, result) {
      db.transaction(() => {
        const row = s.byId.get(id);
        if (!row) return;
        const log = appendLog(row.log, result);
        const state = result.kind === "retry" ? "pending" : result.kind;
        const next = result.kind === "retry" ? result.nextAttemptAt : Number(row.next_attempt_at);
        const deliveredAt = result.kind === "delivered" ? result.attempt.at : null;
        s.record.run(state, next, deliveredAt, log, id);
      }).immediate();
    },

    async listWebhookDeliveries(jobId) {
      return s.byJob.all(jobId).map(deliveryFromRow);
    },
  };
}
