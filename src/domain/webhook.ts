/**
 * Webhook events and their durable deliveries (docs/async-and-events.md). A delivery is a row:
 * created when a job ends, sent by the delivery loop, retried with backoff until it succeeds or
 * its retry window closes, so a restart loses none.
 */
export type WebhookEventType =
  | "batch.completed"
  | "batch.failed"
  | "batch.expired"
  | "batch.cancelled"
  | "invocation.succeeded"
  | "invocation.failed";

export type DeliveryState = "pending" | "delivered" | "failed";

export interface NewWebhookDelivery {
  id: string;
  jobId: string;
  event: WebhookEventType;
  url: string;
  /** The exact JSON body that is signed and sent on every attempt. */
  payload: string;
  createdAt: number;
}

/** One attempt, kept on the delivery (the most recent ones) as its log. */
export interface DeliveryAttempt {
  at: number;
  /** HTTP status when the receiver answered; null for connection errors and refusals. */
  status: number | null;
  error: string | null;
  durationMs: number;
}

export interface WebhookDelivery extends NewWebhookDelivery {
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: number;
  deliveredAt: number | null;
  log: DeliveryAttempt[];
}

/** What the delivery loop decided after an attempt. */
export type DeliveryResult =
  | { kind: "delivered"; attempt: DeliveryAttempt }
  | { kind: "retry"; attempt: DeliveryAttempt; nextAttemptAt: number }
  | { kind: "failed"; attempt: DeliveryAttempt };

/** Attempts kept in a delivery's log; older ones are dropped (the count stays exact). */
export const DELIVERY_LOG_MAX = 20;
