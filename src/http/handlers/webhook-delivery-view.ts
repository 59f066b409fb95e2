import { toSeconds } from "../../domain/duration.js";
import type { WebhookDelivery } from "../../domain/webhook.js";

/** A webhook delivery and its attempts as the API and the dashboard show them (times in seconds). */
export function webhookDeliveryView(d: WebhookDelivery) {
  return {
    id: d.id,
    job_id: d.jobId,
    event: d.event,
    url: d.url,
    state: d.state,
    attempts: d.attempts,
    created_at: toSeconds(d.createdAt),
    next_attempt_at: d.state === "pending" ? toSeconds(d.nextAttemptAt) : null,
    delivered_at: toSeconds(d.deliveredAt),
    log: d.log.map((a) => ({
      at: toSeconds(a.at),
      status: a.status,
      error: a.error,
      duration_ms: a.durationMs,
    })),
  };
}
