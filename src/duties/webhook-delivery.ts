import { WebhookDispatcher, type WebhookDispatcherOptions } from "../events/webhooks/webhook-dispatcher.js";
import type { Duty } from "./duty.js";

export const WEBHOOK_DELIVERY = "webhook delivery";

/**
 * A leader duty: turn ended jobs into webhook deliveries and send those due, every
 * `config.pollMs` and when woken (a job may have ended). Stopping ends a pass between pages and
 * closes the dispatcher's connections.
 */
export function webhookDeliveryDuty(o: WebhookDispatcherOptions): Duty {
  const dispatcher = new WebhookDispatcher(o);
  return {
    name: WEBHOOK_DELIVERY,
    intervalMs: o.config.pollMs,
    pass: (stopping) => dispatcher.tick(Date.now(), stopping),
    close: () => dispatcher.close(),
  };
}
