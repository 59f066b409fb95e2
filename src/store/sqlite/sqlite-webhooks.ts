import type { Job } from "../../domain/job.js";
import type { DeliveryResult, NewWebhookDelivery, WebhookDelivery } from "../../domain/webhook.js";
import { appendLog, type DeliveryRow, deliveryFromRow } from "../invocation-rows.js";
import { type JobRow, jobFromRow } from "../rows.js";
import type { SqliteDatabase } from "./sqlite-driver.js";

function prepareStatements(db: SqliteDatabase) {
  return {
    toNotify: db.prepare<[number], JobRow>(
      `SELECT * FROM jobs WHERE notified = 0 AND status IN ('completed', 'failed', 'expired', 'cancelled')
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

/** Webhook deliveries on SQLite (see the Store contract for each operation). */
export class SqliteWebhooks {
  private readonly s: ReturnType<typeof prepareStatements>;

  constructor(private readonly db: SqliteDatabase) {
    this.s = prepareStatements(db);
  }

  jobsToNotify(limit: number): Job[] {
    return this.s.toNotify.all(limit).map(jobFromRow);
  }

  enqueue(jobId: string, d: NewWebhookDelivery | null): void {
    this.db
      .transaction(() => {
        if (d) this.s.insert.run(d.id, d.jobId, d.event, d.url, d.payload, d.createdAt, d.createdAt);
        this.s.markNotified.run(jobId);
      })
      .immediate();
  }

  claim(now: number, leaseMs: number, limit: number): WebhookDelivery[] {
    return this.db
      .transaction(() => {
        const rows = this.s.due.all(now, limit);
        for (const r of rows) this.s.lease.run(now + leaseMs, r.id);
        return rows.map(deliveryFromRow);
      })
      .immediate();
  }

  record(id: string, result: DeliveryResult): void {
    this.db
      .transaction(() => {
        const row = this.s.byId.get(id);
        if (!row) return;
        const log = appendLog(row.log, result);
        const state = result.kind === "retry" ? "pending" : result.kind;
        const next = result.kind === "retry" ? result.nextAttemptAt : Number(row.next_attempt_at);
        const deliveredAt = result.kind === "delivered" ? result.attempt.at : null;
        this.s.record.run(state, next, deliveredAt, log, id);
      })
      .immediate();
  }

  list(jobId: string): WebhookDelivery[] {
    return this.s.byJob.all(jobId).map(deliveryFromRow);
  }
}
