/**
 * Requests-per-minute and tokens-per-minute over a sliding 60 s window, the way hosted APIs
 * enforce them. A refused request is told exactly when enough of the window will have expired
 * for it to fit, so clients that honour Retry-After succeed on their first retry.
 */
export const WINDOW_MS = 60_000;

export type LimitDecision =
  | {
      ok: true;
      remainingRequests: number;
      remainingTokens: number;
      resetRequestsMs: number;
      resetTokensMs: number;
    }
  | { ok: false; kind: "requests" | "tokens"; retryAfterMs: number | null; message: string };

export class SlidingWindowLimit {
  // Parallel ring of admitted requests, oldest first; `head` skips expired ones without shifting.
  private times: number[] = [];
  private tokens: number[] = [];
  private head = 0;
  private tokensInWindow = 0;

  constructor(
    public rpm: number,
    public tpm: number,
  ) {}

  get active(): boolean {
    return Number.isFinite(this.rpm) || Number.isFinite(this.tpm);
  }

  /** Admits (and records) a request of `cost` tokens at time `now`, or says why not. */
  admit(cost: number, now: number): LimitDecision {
    this.expire(now);
    const count = this.times.length - this.head;
    if (count + 1 > this.rpm) {
      const oldest = this.times[this.head + Math.max(0, count - Math.floor(this.rpm))];
      return {
        ok: false,
        kind: "requests",
        retryAfterMs: oldest === undefined ? null : oldest + WINDOW_MS - now,
        message: `Rate limit reached for requests per min (RPM): Limit ${this.rpm}, Used ${count}, Requested 1.`,
      };
    }
    if (cost > this.tpm) {
      return {
        ok: false,
        kind: "tokens",
        retryAfterMs: null,
        message: `Request too large for tokens per min (TPM): Limit ${this.tpm}, Requested ${cost}.`,
      };
    }
    if (this.tokensInWindow + cost > this.tpm) {
      // Walk forward until enough old requests have expired to make room.
      let freed = 0;
      let i = this.head;
      while (i < this.times.length && this.tokensInWindow - freed + cost > this.tpm)
        freed += this.tokens[i++]!;
      return {
        ok: false,
        kind: "tokens",
        retryAfterMs: this.times[i - 1]! + WINDOW_MS - now,
        message: `Rate limit reached for tokens per min (TPM): Limit ${this.tpm}, Used ${this.tokensInWindow}, Requested ${cost}.`,
      };
    }
    this.times.push(now);
    this.tokens.push(cost);
    this.tokensInWindow += cost;
    const first = this.times[this.head]!;
    return {
      ok: true,
      remainingRequests: this.rpm - (count + 1),
      remainingTokens: this.tpm - this.tokensInWindow,
      resetRequestsMs: first + WINDOW_MS - now,
      resetTokensMs: first + WINDOW_MS - now,
    };
  }

  private expire(now: number): void {
    const cutoff = now - WINDOW_MS;
    while (this.head < this.times.length && this.times[this.head]! <= cutoff) {
      this.tokensInWindow -= this.tokens[this.head]!;
      this.head++;
    }
    // Compact once the dead prefix dominates, so memory stays proportional to the window.
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.tokens = this.tokens.slice(this.head);
      this.head = 0;
    }
  }
}

/** OpenAI's `x-ratelimit-*` headers, for clients that pace themselves from them. */
export function rateLimitHeaders(
  limit: SlidingWindowLimit,
  admitted: Extract<LimitDecision, { ok: true }>,
): Record<string, string> {
  const headers: Record<string, string> = {};
  if (Number.isFinite(limit.rpm)) {
    headers["x-ratelimit-limit-requests"] = String(limit.rpm);
    headers["x-ratelimit-remaining-requests"] = String(admitted.remainingRequests);
    headers["x-ratelimit-reset-requests"] = `${admitted.resetRequestsMs}ms`;
  }
  if (Number.isFinite(limit.tpm)) {
    headers["x-ratelimit-limit-tokens"] = String(limit.tpm);
    headers["x-ratelimit-remaining-tokens"] = String(admitted.remainingTokens);
    headers["x-ratelimit-reset-tokens"] = `${admitted.resetTokensMs}ms`;
  }
  return headers;
}
