import type pg from "pg";
import { appendLog, type DeliveryRow, deliveryFromRow } from "../invocation-rows.js";
import { type JobRow, jobFromRow } from "../rows.js";
import type { WebhookStore } from "../webhook-store.js";
import { query, transaction } from "./pg-connection.js";
import {
  CLAIM_DELIVERIES_SQL,
  DELIVERIES_OF_JOB_SQL,
  DELIVERY_FOR_UPDATE_SQL,
  ENQUEUE_WEBHOOK_SQL,
  JOBS_TO_NOTIFY_SQL,
  RECORD_DELIVERY_SQL,
} from "./webhooks-sql.js";

type Row<T> = T & pg.QueryResultRow;

/** Webhook deliveries on PostgreSQL (WebhookStore). */
export function pgWebhooks(pool: pg.Pool): WebhookStore {
  return {
    async jobsToNotify(limit) {
      return (await query<Row<JobRow>>(pool, JOBS_TO_NOTIFY_SQL, [limit])).map(jobFromRow);
    },

    async enqueueWebhook(jobId, d) {
      await query(pool, ENQUEUE_WEBHOOK_SQL, [
        jobId,
        d?.id ?? null,
        d?.event ?? null,
        d?.url ?? null,
        d?.payload ?? null,
        d?.createdAt ?? null,
      ]);
    },

    async claimWebhookDeliveries(now, leaseMs, limit) {
      const rows = await query<Row<DeliveryRow>>(pool, CLAIM_DELIVERIES_SQL, [now, now + leaseMs, limit]);
      return rows.map(deliveryFromRow).sort((a, b) => a.createdAt - b.createdAt);
    },

    async recordWebhookAttempt(id, result) {
      await transaction(pool, async (c) => {
        const { rows } = await c.query<DeliveryRow>(DELIVERY_FOR_UPDATE_SQL, [id]);
        const row = rows[0];
        if (!row) return;
        await c.query(RECORD_DELIVERY_SQL, [
          id,
          result.kind === "retry" ? "pending" : result.kind,
          result.kind === "retry" ? result.nextAttemptAt : row.next_attempt_at,
          result.kind === "delivered" ? result.attempt.at : null,
          appendLog(row.log, result),
        ]);
      });
    },

    async listWebhookDeliveries(jobId) {
      return (await query<Row<DeliveryRow>>(pool, DELIVERIES_OF_JOB_SQL, [jobId])).map(deliveryFromRow);
    },
  };
}
