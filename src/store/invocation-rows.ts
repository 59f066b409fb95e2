import type { Invocation } from "../domain/invocation.js";
import type { RecordState } from "../domain/record.js";
import {
  DELIVERY_LOG_MAX,
  type DeliveryResult,
  type WebhookDelivery,
  type WebhookEventType,
} from "../domain/webhook.js";
import { type JobRow, jobFromRow, num } from "./rows.js";

/**
 * Row shapes of migration 0003 shared by both engines, and their mapping to domain objects.
 * INVOCATION_COLUMNS is the select list both engines use (jobs j, invocations i, records r).
 */
export const INVOCATION_COLUMNS = `j.*, i.inference_id, i.model, i.route AS invocation_route, i.input_bytes,
  i.ttl_until, i.timeout_ms, i.custom_attributes, r.state AS record_state, r.attempt AS record_attempt,
  r.error_code AS record_error_code, r.error_message AS record_error_message`;

export interface InvocationRow extends JobRow {
  inference_id: string;
  model: string;
  invocation_route: string;
  input_bytes: number | string;
  ttl_until: number | string;
  timeout_ms: number | string;
  custom_attributes: string | null;
  record_state: string | null;
  record_attempt: number | string | null;
  record_error_code: string | null;
  record_error_message: string | null;
}

export function invocationFromRow(r: InvocationRow): Invocation {
  return {
    job: jobFromRow(r),
    inferenceId: r.inference_id,
    model: r.model,
    route: r.invocation_route,
    inputBytes: num(r.input_bytes),
    ttlUntil: num(r.ttl_until),
    timeoutMs: num(r.timeout_ms),
    customAttributes: r.custom_attributes,
    // A job pruned of its records reads as what its end status says.
    recordState: (r.record_state ?? "expired") as RecordState,
    attempts: r.record_attempt === null ? 0 : num(r.record_attempt),
    error:
      r.record_error_code === null
        ? null
        : { code: r.record_error_code, message: r.record_error_message ?? "" },
  };
}

export interface DeliveryRow {
  id: string;
  job_id: string;
  event: string;
  url: string;
  payload: string;
  state: string;
  attempts: number | string;
  next_attempt_at: number | string;
  delivered_at: number | string | null;
  log: string;
  created_at: number | string;
}

export function deliveryFromRow(r: DeliveryRow): WebhookDelivery {
  return {
    id: r.id,
    jobId: r.job_id,
    event: r.event as WebhookEventType,
    url: r.url,
    payload: r.payload,
    state: r.state as WebhookDelivery["state"],
    attempts: num(r.attempts),
    nextAttemptAt: num(r.next_attempt_at),
    deliveredAt: r.delivered_at === null ? null : num(r.delivered_at),
    log: JSON.parse(r.log) as WebhookDelivery["log"],
    createdAt: num(r.created_at),
  };
}

/** Message of a record that waited past its TTL. */
export const TTL_EXPIRED_MESSAGE =
  "The invocation waited in the queue longer than its request_ttl_seconds and was not started.";

/** Priority of invocation jobs: claims serve them before batches (priority 0). */
export const INVOCATION_PRIORITY = 10;

/** The delivery's log with this attempt added, keeping the most recent DELIVERY_LOG_MAX. */
export function appendLog(log: string, result: DeliveryResult): string {
  const entries = JSON.parse(log) as unknown[];
  entries.push(result.attempt);
  return JSON.stringify(entries.slice(-DELIVERY_LOG_MAX));
}
