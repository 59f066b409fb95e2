import { invalidRequest } from "../domain/errors.js";
import { checkWebhookTarget } from "../events/webhooks/target-guard.js";
import type { ApiDeps } from "./deps.js";

/**
 * The optional `webhook_url` of a job creation request: a string URL whose target is allowed
 * (no loopback/private/link-local addresses unless the config allows them). Null when absent.
 */
export async function parseWebhookUrl(value: unknown, deps: ApiDeps): Promise<string | null> {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || value === "") {
    throw invalidRequest("'webhook_url' must be an http(s) URL.", "webhook_url");
  }
  await checkWebhookTarget(value, deps.async?.webhooks.allowPrivateTargets ?? false);
  return value;
}
