export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
  /**
   * The share of each delay that is fixed, the rest drawn at random: 0 is "full jitter" (what
   * model calls use: a burst of 429s does not come back as a synchronised burst), 0.5 "equal
   * jitter" (webhooks: a receiver that is down still gets a steadily growing pause). Default 0.
   */
  fixedShare?: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 60_000 };

/**
 * Delay before retry number `attempt` (1 = first retry): exponential backoff from `baseMs`,
 * doubling up to `capMs`, jittered as the policy says (AWS architecture blog, "Exponential
 * Backoff And Jitter"). A server's `Retry-After` is a floor: we never come back sooner than it
 * asked.
 */
export function backoffDelay(
  attempt: number,
  retryAfterMs: number | null,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const fixed = ceiling * (policy.fixedShare ?? 0);
  const jittered = Math.round(fixed + random() * (ceiling - fixed));
  return retryAfterMs !== null ? Math.max(retryAfterMs, jittered) : jittered;
}

/** Reads `Retry-After` (seconds or an HTTP date) and OpenAI's `retry-after-ms`. */
export function parseRetryAfter(
  header: string | undefined | null,
  msHeader?: string | null,
  now = Date.now(),
): number | null {
  if (msHeader) {
    const ms = Number(msHeader);
    if (Number.isFinite(ms) && ms >= 0) return ms;
  }
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
