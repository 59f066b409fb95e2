import type { IncomingMessage, ServerResponse } from "node:http";
import type { BlobStore } from "../blobs/blob-store.js";
import type { ModelPricing } from "../budget/job-pricing.js";
import type { InvocationsConfig, ServerConfig, WebhooksConfig } from "../config/config.js";
import type { RouteLiveStats } from "../events/route-monitor.js";
import type { RouteTable } from "../routing/route-table.js";
import type { Store } from "../store/store.js";
import type { Principal } from "./key-auth.js";
import type { Params } from "./path-table.js";
import type { ProjectQuotas } from "./quotas.js";

/** What the API needs from the rest of Docket; it holds no state of its own. */
export interface ApiDeps {
  store: Store;
  blobs: BlobStore;
  config: ServerConfig;
  /** Epoch milliseconds; injectable so tests control the clock. */
  now?: () => number;
  /**
   * Wakes local workers sooner than their poll (polling stays the truth). `jobStopped`: a cancel
   * committed; a worker in this process drops the job's prefetched records, and workers
   * elsewhere are hinted, before the promise resolves (the cancel answers after it). It wakes
   * workers as `workAvailable` does (one hint, not two): see `announceStop`.
   */
  events: { workAvailable(): void; jobStopped?(jobId: string): Promise<void> | void };
  /** Where unexpected (500) errors are reported; defaults to console.error. */
  logError?: (err: unknown, req: IncomingMessage) => void;
  /** Async invocations, webhooks, SSE and metrics (async-api-deps.ts builds these). */
  async?: AsyncApiDeps;
  /** Per-project quotas (quotas.ts, config `projects`); absent: none apply. */
  quotas?: ProjectQuotas;
  /** The web dashboard's extras (docs/dashboard.md); absent: no prices, no live route figures. */
  dashboard?: DashboardDeps;
}

/** What the dashboard's endpoints need beyond the store; the runtime assembles it. */
export interface DashboardDeps {
  /** Model → USD per million tokens (the route's price, else the built-in table); null: unknown. */
  pricing?: ModelPricing;
  /** Live route figures from a worker in this process; null or absent in an API-only process. */
  routeStats?: (now: number) => RouteLiveStats[] | null;
  /** The built app's folder (default: `dist/web` of this package). */
  webRoot?: string;
}

/** What the async-invocation, webhook, event and metrics handlers need beyond the core. */
export interface AsyncApiDeps {
  /** Model → route, to accept an invocation only for a model some route serves. */
  routes: RouteTable;
  invocations: InvocationsConfig;
  webhooks: WebhooksConfig;
  /** Renders `GET /metrics`; absent: the endpoint answers 404. */
  metrics?: { contentType: string; render(): Promise<string> };
  /** How often an SSE stream re-reads its job (ms); default 500. */
  eventPollMs?: number;
  /** Uploaded payloads (and invocation results) expire after this; null keeps them. */
  outputRetentionMs: number | null;
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Params;
  query: URLSearchParams;
  deps: ApiDeps;
  now: () => number;
  /** Who is calling (key-auth.ts): what they create is their project's, what they see is filtered by it. */
  principal: Principal;
}

export type Handler = (ctx: RequestContext) => Promise<void> | void;

/**
 * A cancel is committed: workers are told before the API answers ("stop means stop"), with
 * `jobStopped` where there is one (it also wakes them, so the job's end is written at once), else
 * with the plain wake-up.
 */
export async function announceStop(events: ApiDeps["events"], jobId: string): Promise<void> {
  if (events.jobStopped) await events.jobStopped(jobId);
  else events.workAvailable();
}
