import { DocketError } from "../domain/errors.js";
import type { AnthropicBackendConfig } from "./config.js";
import { resolveSecretRef } from "./secret-ref.js";

/**
 * Checks an `anthropic` backend and resolves its key (`env:NAME`), naming the field at fault.
 * `where` is the backend's config path, e.g. `routes[0].backend`.
 */
export function checkAnthropicBackend(b: AnthropicBackendConfig, where: string): AnthropicBackendConfig {
  if (b.baseUrl !== undefined && (typeof b.baseUrl !== "string" || !/^https?:\/\//.test(b.baseUrl))) {
    throw new DocketError(
      "invalid_config",
      `${where}.baseUrl must be an http(s) URL such as https://api.anthropic.com (without /v1).`,
    );
  }
  if (b.version !== undefined && (typeof b.version !== "string" || b.version === "")) {
    throw new DocketError(
      "invalid_config",
      `${where}.version must be an anthropic-version such as "2023-06-01".`,
    );
  }
  if (b.apiKey !== undefined && typeof b.apiKey !== "string") {
    throw new DocketError("invalid_config", `${where}.apiKey must be a string (or "env:NAME").`);
  }
  if (b.headers !== undefined) {
    const ok =
      typeof b.headers === "object" &&
      b.headers !== null &&
      !Array.isArray(b.headers) &&
      Object.values(b.headers).every((v) => typeof v === "string");
    if (!ok) throw new DocketError("invalid_config", `${where}.headers must map header names to strings.`);
  }
  if (typeof b.apiKey === "string") return { ...b, apiKey: resolveSecretRef(b.apiKey, `${where}.apiKey`) };
  return b;
}
