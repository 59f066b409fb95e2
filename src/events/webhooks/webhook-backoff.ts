import type { WebhooksConfig } from "../../config/config.js";
import { backoffDelay } from "../../domain/backoff.js";

/**
 * Delay before attempt number `attempt + 1`: doubling from `backoffBaseMs` up to `backoffCapMs`,
 * with "equal jitter" (half fixed, half random) so receivers that come back are not stampeded.
 * A receiver's `Retry-After` is not read, hence no floor.
 */
export function webhookBackoff(
  attempt: number,
  config: Pick<WebhooksConfig, "backoffBaseMs" | "backoffCapMs">,
  random: () => number = Math.random,
): number {
  return backoffDelay(
    attempt,
    null,
    { baseMs: config.backoffBaseMs, capMs: config.backoffCapMs, fixedShare: 0.5 },
    random,
  );
}
