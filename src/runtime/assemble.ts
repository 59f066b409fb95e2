import { BackendRegistry } from "../backends/backend-registry.js";
import type { BlobStore } from "../blobs/blob-store.js";
import { type ModelPricing, routePricing } from "../budget/job-pricing.js";
import { isOnDemandRoute } from "../config/batch-backend-config.js";
import { validationLimits } from "../config/check-validation-limits.js";
import type { DocketConfig } from "../config/config.js";
import type { ValidationLimits } from "../config/validation-limits.js";
import type { providerBatchDuty } from "../duties/provider-batch.js";
import { DocketMetrics } from "../events/metrics.js";
import { RouteMonitor } from "../events/route-monitor.js";
import type { JobKinds } from "../jobs/job-kind.js";
import { jobKinds } from "../jobs/job-kinds.js";
import { RouteTable } from "../routing/route-table.js";
import type { Store } from "../store/store.js";
import { openBlobs } from "./open-blobs.js";
import { openProcessStore } from "./open-store.js";
import { sweepOrphansAtStart } from "./start-sweep.js";
import { WorkSignal } from "./work-signal.js";

/**
 * What a process runs: `serve` the API and a worker on one store (embedded, or all-in-one on
 * PostgreSQL), `api` the HTTP API only, `worker` the worker only.
 */
export type ProcessRole = "serve" | "api" | "worker";

export interface AssembleOptions {
  role: ProcessRole;
  /** The backends to run records on; default: each route's backend built from its config on first use. */
  backends?: BackendRegistry;
}

/** Everything a process is built from, made once here and handed to what it runs. */
export interface Assembly {
  readonly role: ProcessRole;
  readonly config: DocketConfig;
  readonly store: Store;
  readonly blobs: BlobStore;
  /** The one registry that owns the backends (closed with the assembly). */
  readonly backends: BackendRegistry;
  /** The job kinds (batch, invocation): how each prepares a record's request and finalizes a job. */
  readonly kinds: JobKinds;
  readonly routes: RouteTable;
  readonly limits: { readonly pricing: ModelPricing; readonly validation: ValidationLimits };
  /** `GET /metrics`: in processes that serve the API (attempt counters count only in `serve`). */
  readonly metrics: DocketMetrics | null;
  /** Live route figures for the dashboard, where a worker runs (`serve`, `worker`); null in `api`. */
  readonly routeMonitor: RouteMonitor | null;
  /** In-process wake-ups and stops between an API and a worker in the same process (`serve`). */
  readonly signal: WorkSignal | null;
  /**
   * The provider batch duty, loaded only where a worker runs and the config has batch or `auto`
   * routes: its clients bring the AWS SDK, which a restart of any other process need not load.
   */
  readonly providerBatchDuty: typeof providerBatchDuty | null;
  /** Tells workers in other processes that work may be runnable (a hint; they poll regardless). */
  hintWork(): void;
  /**
   * `hintWork`, resolved once the hint is sent (bounded: never fails, waits at most ~1 s). A
   * cancel answers only after it, so workers elsewhere are told before its caller is.
   */
  hintWorkSent(): Promise<void>;
  /** Closes the backends, then the store (and releases the data directory). */
  close(): Promise<void>;
}

/**
 * The composition root: builds store, blobs, backends, limits, metrics and signals for any
 * process. Whether this process has the store to itself is the store's `exclusive`
 * capability; nothing here asks which engine it is.
 */
export async function assemble(config: DocketConfig, o: AssembleOptions): Promise<Assembly> {
  const { store, release } = await openProcessStore(config);
  let blobs: BlobStore;
  try {
    // Alone on the database (the data-dir lock proves it), every lease found at start-up belongs
    // to a process that died: take them over at once rather than waiting them out.
    if (o.role === "serve" && store.capabilities.exclusive) await store.expireAllLeases(Date.now());
    blobs = await openBlobs(config);
    if (o.role === "serve") await sweepOrphansAtStart(blobs, config, store.capabilities.exclusive);
  } catch (err) {
    await release();
    throw err;
  }
  const batchRoutes = o.role !== "api" && config.routes.some((r) => !isOnDemandRoute(r));
  const providerBatch = batchRoutes ? (await import("../duties/provider-batch.js")).providerBatchDuty : null;
  const backends = o.backends ?? new BackendRegistry();
  const hints = store.capabilities.workHints;
  const routes = new RouteTable(config.routes);
  return {
    role: o.role,
    config,
    store,
    blobs,
    backends,
    kinds: jobKinds({ store, blobs, routes }),
    routes,
    limits: { pricing: routePricing(config.routes), validation: validationLimits(config.validation) },
    // Backlog gauges come from the store; attempt counters live in the worker processes.
    metrics:
      o.role === "worker"
        ? null
        : new DocketMetrics(
            store,
            config.routes.map((r) => r.name),
          ),
    routeMonitor: o.role === "api" ? null : new RouteMonitor(),
    signal: o.role === "serve" ? new WorkSignal() : null,
    providerBatchDuty: providerBatch,
    hintWork: () => void hints?.hintWork().catch(() => {}),
    hintWorkSent: () => hintSent(hints),
    async close() {
      await backends.closeAll();
      await release();
    },
  };
}

/** How long a cancel waits for its hint to be sent before answering anyway (polling stays the truth). */
const HINT_SENT_WAIT_MS = 1_000;

async function hintSent(hints: { hintWork(): Promise<void> } | null | undefined): Promise<void> {
  if (!hints) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    hints.hintWork().catch(() => {}),
    new Promise<void>((r) => {
      timer = setTimeout(r, HINT_SENT_WAIT_MS);
    }),
  ]);
  clearTimeout(timer);
}
