import type { Job } from "../domain/job.js";
import type { DeliveryResult, NewWebhookDelivery, WebhookDelivery } from "../domain/webhook.js";

/** Webhook deliveries of job end events (src/events/webhooks, migration 0003). */
export interface WebhookStore {
  /** Ended jobs whose end event has not been considered yet, oldest first. */
  jobsToNotify(limit: number): Promise<Job[]>;
  /**
   * Marks the job's end event as considered and, when one is due, writes its delivery, in one
   * transaction; a second call for the same (job, event) writes nothing (idempotent).
   */
  enqueueWebhook(jobId: string, delivery: NewWebhookDelivery | null): Promise<void>;
  /**
   * Leases up to `limit` pending deliveries due at `now` by pushing their next attempt to
   * now + leaseMs (a dead sender's deliveries come back after that), oldest due first.
   */
  claimWebhookDeliveries(now: number, leaseMs: number, limit: number): Promise<WebhookDelivery[]>;
  /** Records an attempt's result: delivered, retry at a later time, or given up (failed). */
  recordWebhookAttempt(deliveryId: string, result: DeliveryResult): Promise<void>;
  /** A job's deliveries, oldest first, each with its attempt log. */
  listWebhookDeliveries(jobId: string): Promise<WebhookDelivery[]>;
}
