import type { BatchApiKind } from "../../src/backends/batch-apis/batch-api-client.js";
import type { BatchBackendConfig, BatchQuotaConfig } from "../../src/config/batch-backend-config.js";
import type { BackendConfig, RouteConfig } from "../../src/config/config.js";
import type { Store } from "../../src/store/store.js";

/**
 * How the provider misbehaves from now on (each absent knob is left as it is; `setFaults({})`
 * changes nothing). Every target starts well behaved: fast, no errors, nothing expired.
 */
export interface Faults {
  /** Fraction of records the provider answers with a retryable error (throttled or a server error). */
  errorRate?: number;
  /** The provider's next jobs end expired (or their requests expired) with at most about half done. */
  expireHalfDone?: boolean;
  /** The provider's jobs answer nothing for many minutes. */
  stall?: boolean;
  /**
   * How long a provider job takes, where a knob decides it (the fakes); a second Docket takes
   * as long as its model backend does with the job's records, so it ignores this.
   */
  turnaroundMs?: number;
}

/**
 * One provider batch API as the offload scenarios see it (issue 13: the same scenarios for
 * `bedrock-batch`, `openai-batch` against a second Docket and `anthropic-batch`): its fake, the
 * batch backend pointed at it, jobs in the dialect it takes, and what the provider itself saw.
 * A target is started per test, so the provider's counts are that test's alone.
 */
export interface ProviderTarget {
  readonly kind: BatchApiKind;
  /** The model the target's jobs name. */
  readonly model: string;
  /** The batch backend on this provider, quotas as given (the provider's defaults for the rest). */
  batchBackend(quotas: Partial<BatchQuotaConfig>): BatchBackendConfig;
  /** An on-demand backend for the same model (the other half of an `auto` pair). */
  onlineBackend(): BackendConfig;
  /** A validated, running Docket job of `n` records on `route`, its window `windowMs` (default 24 h). */
  job(store: Store, n: number, route: string, o?: { windowMs?: number }): Promise<string>;
  /** Record i's custom id in that job. */
  customId(i: number): string;
  setFaults(f: Faults): void;
  /**
   * The provider's jobs in flight end now, as though their turnaround had passed (the fakes): a
   * test that holds jobs with a long `turnaroundMs` to watch them lets them go at once. A second
   * Docket holds none (it ignores `turnaroundMs`), so there it does nothing.
   */
  endInFlight(): void;
  /** Between duty passes: a provider that expires jobs by its own clock (a second Docket) does so here. */
  tick(): Promise<void>;
  /** Provider jobs the provider made. */
  jobsCreated(): Promise<number>;
  /** The most provider jobs in flight at once, as the provider recorded it. */
  maxInFlight(): Promise<number>;
  /** Per Docket record id: in how many provider jobs the provider received it. */
  sentPerRecord(): Promise<Map<number, number>>;
  /** Requests the on-demand backend answered. */
  onlineRequests(): number;
  close(): Promise<void>;
}

export interface TargetKind {
  kind: BatchApiKind;
  start(): Promise<ProviderTarget>;
}

/** A route over the target's batch API, polling every 20 ms. */
export function batchRoute(
  target: ProviderTarget,
  name: string,
  quotas: Partial<BatchQuotaConfig> = {},
  o: { models?: string[]; maxAttempts?: number } = {},
): RouteConfig {
  return {
    name,
    models: o.models ?? [target.model],
    backend: target.batchBackend({ pollMs: 20, ...quotas }),
    concurrency: 1,
    timeoutMs: 60_000,
    maxAttempts: o.maxAttempts ?? 12,
  };
}

/**
 * The most intervals open at one moment; an interval is [start, end) (end null: still open),
 * so one that ends when another starts does not overlap it.
 */
export function maxOverlap(intervals: ReadonlyArray<{ start: number; end: number | null }>): number {
  const events: Array<[number, number]> = [];
  for (const { start, end } of intervals) {
    events.push([start, 1]);
    if (end !== null) events.push([end, -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let most = 0;
  for (const [, d] of events) {
    open += d;
    most = Math.max(most, open);
  }
  return most;
}
