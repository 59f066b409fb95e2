import { DocketError } from "../domain/errors.js";
import { type DocketConfig, defaultConfig, type InvocationsConfig, type WebhooksConfig } from "./config.js";
import { resolveSecretRef } from "./secret-ref.js";

/** The config's invocation settings, defaults filled. */
export function invocationsConfig(config: Pick<DocketConfig, "invocations">): InvocationsConfig {
  return config.invocations ?? defaultConfig().invocations!;
}

/** The config's webhook settings, defaults filled. */
export function webhooksConfig(config: Pick<DocketConfig, "webhooks">): WebhooksConfig {
  return config.webhooks ?? defaultConfig().webhooks!;
}

/**
 * Merges the file's `invocations` and `webhooks` sections over the defaults and checks them, so
 * a mistake is reported at start-up with the field that is wrong. `secret: "env:NAME"` is read
 * from the environment (configs hold no secrets).
 */
export function applyEventsConfig(
  config: DocketConfig,
  file: { invocations?: Partial<InvocationsConfig>; webhooks?: Partial<WebhooksConfig> },
): void {
  const inv = { ...invocationsConfig(config), ...file.invocations };
  for (const key of ["maxPayloadBytes", "defaultTtlMs", "defaultTimeoutMs"] as const) {
    if (!Number.isInteger(inv[key]) || inv[key] < 1) {
      throw invalid(`invocations.${key} must be a positive integer (got ${JSON.stringify(inv[key])}).`);
    }
  }
  config.invocations = inv;

  const hooks = { ...webhooksConfig(config), ...file.webhooks };
  for (const key of ["retryForMs", "backoffBaseMs", "backoffCapMs", "timeoutMs", "pollMs"] as const) {
    if (!Number.isInteger(hooks[key]) || hooks[key] < 1) {
      throw invalid(`webhooks.${key} must be a positive integer (got ${JSON.stringify(hooks[key])}).`);
    }
  }
  for (const key of ["successUrl", "errorUrl", "publicBaseUrl"] as const) {
    const url = hooks[key];
    if (url !== null && (typeof url !== "string" || !/^https?:\/\/[^\s]+$/.test(url))) {
      throw invalid(`webhooks.${key} must be an http(s) URL or null (got ${JSON.stringify(url)}).`);
    }
  }
  const allow = hooks.allowPrivateTargets;
  if (typeof allow !== "boolean" && !(Array.isArray(allow) && allow.every((a) => typeof a === "string"))) {
    throw invalid(
      'webhooks.allowPrivateTargets must be true, false or a list such as ["127.0.0.1", "10.0.0.0/8"].',
    );
  }
  if (typeof hooks.secret === "string") hooks.secret = resolveSecretRef(hooks.secret, "webhooks.secret");
  config.webhooks = hooks;
}

function invalid(message: string): DocketError {
  return new DocketError("invalid_config", message);
}
