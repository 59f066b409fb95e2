/**
 * How the provider-job loop treats a failed call to a provider's batch API: `retryable`
 * (throttled, quota exceeded, a server error, the network: back off and call again — every
 * call that creates is idempotent by token) or not (the provider refused: fail the provider job
 * and send its records again in a later one, counting an attempt each).
 */
export interface ProviderFailure {
  retryable: boolean;
  message: string;
  retryAfterMs: number | null;
}

const REFUSED_CODES = new Set(["provider_refused", "invalid_request", "invalid_config"]);

export function classifyProviderError(err: unknown): ProviderFailure {
  const e = (err ?? {}) as {
    retryable?: unknown;
    code?: unknown;
    status?: unknown;
    httpStatus?: unknown;
    retryAfterMs?: unknown;
    message?: unknown;
  };
  const message = typeof e.message === "string" && e.message !== "" ? e.message : String(err);
  const retryAfterMs = typeof e.retryAfterMs === "number" ? e.retryAfterMs : null;
  if (typeof e.retryable === "boolean") return { retryable: e.retryable, message, retryAfterMs };
  if (typeof e.code === "string" && REFUSED_CODES.has(e.code))
    return { retryable: false, message, retryAfterMs };
  const status =
    typeof e.status === "number" ? e.status : typeof e.httpStatus === "number" ? e.httpStatus : null;
  if (
    status !== null &&
    status >= 400 &&
    status < 500 &&
    status !== 408 &&
    status !== 409 &&
    status !== 429
  ) {
    return { retryable: false, message, retryAfterMs };
  }
  return { retryable: true, message, retryAfterMs };
}

/** The wait before the `n`th retry (1-based) of a provider call: doubling from `baseMs`, capped. */
export function providerBackoffMs(
  n: number,
  baseMs: number,
  capMs: number,
  retryAfterMs: number | null,
): number {
  const doubled = Math.min(capMs, baseMs * 2 ** Math.min(30, n - 1));
  return Math.max(doubled, retryAfterMs ?? 0);
}
