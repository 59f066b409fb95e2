import type pg from "pg";
import {
  INVOCATION_CODES,
  INVOCATION_ENDPOINT_PREFIX,
  type Invocation,
  type NewInvocation,
} from "../../domain/invocation.js";
import type { Job } from "../../domain/job.js";
import type { DeliveryResult, NewWebhookDelivery, WebhookDelivery } from "../../domain/webhook.js";
import { foldBacklog } from "../backlog-rows.js";
import {
  appendLog,
  type DeliveryRow,
  deliveryFromRow,
  type InvocationRow,
  invocationFromRow,
  TTL_EXPIRED_MESSAGE,
} from "../invocation-rows.js";
import { type JobRow, jobFromRow } from "../rows.js";
import type { BacklogStat } from "../store.js";
import {
  EXPIRE_INVOCATIONS_SQL,
  INSERT_INVOCATION_JOB_SQL,
  INSERT_INVOCATION_RECORD_SQL,
  INSERT_INVOCATION_SQL,
  INVOCATION_BY_ID_SQL,
  INVOCATION_BY_INFERENCE_ID_SQL,
} from "./invocations-sql.js";
import { query, transaction } from "./pg-connection.js";
import {
  BACKLOG_SQL,
  CLAIM_DELIVERIES_SQL,
  DELIVERIES_OF_JOB_SQL,
  DELIVERY_FOR_UPDATE_SQL,
  ENQUEUE_WEBHOOK_SQL,
  JOBS_TO_NOTIFY_SQL,
  RECORD_DELIVERY_SQL,
} from "./webhooks-sql.js";

/** Thrown inside the insert transaction to roll it back when the inference id is taken. */
class InferenceIdTaken extends Error {}

type Row<T> = T & pg.QueryResultRow;

/** Invocations, webhook deliveries and backlog figures on PostgreSQL (Store contract). */
export class PgInvocations {
  constructor(private readonly pool: pg.Pool) {}

  async insert(n: NewInvocation): Promise<{ invocation: Invocation; created: boolean }> {
    const existing = await this.byInferenceId(n.inferenceId);
    if (existing) return { invocation: existing, created: false };
    try {
      await transaction(this.pool, async (c) => {
        await c.query(INSERT_INVOCATION_JOB_SQL, [
          n.id,
          INVOCATION_ENDPOINT_PREFIX + n.endpoint,
          n.inputFileId,
          `${Math.ceil((n.ttlUntil - n.createdAt) / 1000)}s`,
          n.webhookUrl,
          n.createdAt,
          n.expiresAt,
        ]);
        const added = await c.query(INSERT_INVOCATION_SQL, [
          n.id,
          n.inferenceId,
          n.model,
          n.route,
          n.inputBytes,
          n.ttlUntil,
          n.timeoutMs,
          n.customAttributes,
        ]);
        if (added.rowCount === 0) throw new InferenceIdTaken();
        await c.query(INSERT_INVOCATION_RECORD_SQL, [n.id, n.inferenceId, n.route, n.body, n.maxAttempts]);
      });
    } catch (err) {
      if (!(err instanceof InferenceIdTaken)) throw err;
      const winner = await this.byInferenceId(n.inferenceId);
      if (winner) return { invocation: winner, created: false };
      throw err;
    }
    return { invocation: (await this.get(n.id))!, created: true };
  }

  async get(idOrInferenceId: string): Promise<Invocation | undefined> {
    const [row] = await query<Row<InvocationRow>>(this.pool, INVOCATION_BY_ID_SQL, [idOrInferenceId]);
    return row ? invocationFromRow(row) : this.byInferenceId(idOrInferenceId);
  }

  async expire(now: number): Promise<string[]> {
    const rows = await query<{ id: string }>(this.pool, EXPIRE_INVOCATIONS_SQL, [
      now,
      INVOCATION_CODES.ttlExpired,
      TTL_EXPIRED_MESSAGE,
    ]);
    return rows.map((r) => r.id);
  }

  async jobsToNotify(limit: number): Promise<Job[]> {
    return (await query<Row<JobRow>>(this.pool, JOBS_TO_NOTIFY_SQL, [limit])).map(jobFromRow);
  }

  async enqueueWebhook(jobId: string, d: NewWebhookDelivery | null): Promise<void> {
    await query(this.pool, ENQUEUE_WEBHOOK_SQL, [
      jobId,
      d?.id ?? null,
      d?.event ?? null,
      d?.url ?? null,
      d?.payload ?? null,
      d?.createdAt ?? null,
    ]);
  }

  async claimDeliveries(now: number, leaseMs: number, limit: number): Promise<WebhookDelivery[]> {
    const rows = await query<Row<DeliveryRow>>(this.pool, CLAIM_DELIVERIES_SQL, [now, now + leaseMs, limit]);
    return rows.map(deliveryFromRow).sort((a, b) => a.createdAt - b.createdAt);
  }

  async recordAttempt(id: string, result: DeliveryResult): Promise<void> {
    await transaction(this.pool, async (c) => {
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
  }

  async listDeliveries(jobId: string): Promise<WebhookDelivery[]> {
    return (await query<Row<DeliveryRow>>(this.pool, DELIVERIES_OF_JOB_SQL, [jobId])).map(deliveryFromRow);
  }

  async backlog(): Promise<BacklogStat[]> {
    return foldBacklog(
      await query<{ route: string; kind: string; state: string; n: number; oldest: number | null }>(
        this.pool,
        BACKLOG_SQL,
      ),
    );
  }

  private async byInferenceId(inferenceId: string): Promise<Invocation | undefined> {
    const [row] = await query<Row<InvocationRow>>(this.pool, INVOCATION_BY_INFERENCE_ID_SQL, [inferenceId]);
    return row && invocationFromRow(row);
  }
}
