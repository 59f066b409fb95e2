import { hostname } from "node:os";
import { BackendRegistry } from "../backends/backend-registry.js";
import type { BlobStore } from "../blobs/blob-store.js";
import { routePricing } from "../budget/job-pricing.js";
import type { DocketConfig } from "../config/config.js";
import { newId } from "../domain/ids.js";
import { webhooksConfig } from "../events/events-config.js";
import type { DocketMetrics } from "../events/metrics.js";
import { WebhookDispatcher } from "../events/webhooks/webhook-dispatcher.js";
import { invocationAwareBackends } from "../invocations/invocation-backends.js";
import { RouteTable } from "../routing/route-table.js";
import type { Store } from "../store/store.js";
import { validationLimits } from "../validation/check-validation-limits.js";
import { ValidationRunner } from "../validation/validation-runner.js";
import { Maintenance } from "../worker/maintenance.js";
import { RecordWorker } from "../worker/record-worker.js";
import { RetentionSweep } from "../worker/retention-sweep.js";
import { LeaderElection } from "./leader-election.js";
import { openBlobs } from "./open-blobs.js";
import { openStore, usesPostgres } from "./open-store.js";
import { startOrphanSweep } from "./orphan-sweep.js";
import type { WorkSignal } from "./work-signal.js";
import { WorkerPresence } from "./worker-presence.js";

export interface WorkerProcessOptions {
  /** Every route's concurrency for this process (`docket worker --concurrency N`). */
  concurrency?: number;
  backends?: BackendRegistry;
  /**
   * Shared with an API in the same process (`docket serve`); when absent they are opened from
   * the config and closed with the worker.
   */
  store?: Store;
  blobs?: BlobStore;
  /** In-process wake-ups from an API in the same process. */
  signal?: WorkSignal;
  /**
   * `elect`: maintenance only while elected through the database (any number of processes);
   * `always`: this is the only process (embedded SQLite). Default: elect on PostgreSQL.
   */
  leadership?: "elect" | "always";
  owner?: string;
  /** Counts attempts and webhook deliveries for `GET /metrics` (docket serve shares its API's). */
  metrics?: DocketMetrics;
}

export interface RunningWorkerProcess {
  /** This process's name in leases, the leader table and the worker registry. */
  owner: string;
  store: Store;
  /** Whether this process currently performs maintenance. */
  readonly isLeader: boolean;
  /**
   * Graceful stop: queued records are given back at once, in-flight ones get `graceMs` to
   * finish and are then given back; the maintenance lead is resigned. Nothing waits for a lease.
   */
  close(graceMs?: number): Promise<void>;
}

/** The maintenance duty's name in the `leaders` table. */
const MAINTENANCE = "maintenance";
/**
 * With other processes on the store, how often (at most) a worker with prefetched records asks
 * whether their jobs were stopped elsewhere, in case a LISTEN/NOTIFY hint was lost.
 */
const DEFAULT_STOP_CHECK_MS = 100;
/** Retention sweeps are rare: files expire in days, not seconds. */
const RETENTION_SWEEP_MS = 60_000;

/**
 * `docket worker`: validation, the record worker, and maintenance while this process is the
 * elected leader. Stateless apart from its leases: start as many as the backends can feed.
 */
export async function startWorkerProcess(
  config: DocketConfig,
  o: WorkerProcessOptions = {},
): Promise<RunningWorkerProcess> {
  const ownsStore = !o.store;
  const store = o.store ?? (await openStore(config));
  const blobs = o.blobs ?? openBlobs(config);
  const backends = o.backends ?? new BackendRegistry();
  const owner = o.owner ?? `${hostname()}:${process.pid}:${newId("", 6)}`;
  const leadership = o.leadership ?? (usesPostgres(config) ? "elect" : "always");
  const { worker: w } = config;
  const routes = o.concurrency
    ? config.routes.map((r) => ({ ...r, concurrency: o.concurrency! }))
    : config.routes;
  const routeTable = new RouteTable(config.routes);
  const hint = () => void store.hintWork?.().catch(() => {});

  let maintenance: Maintenance | null = null;
  let retention: RetentionSweep | null = null;
  let webhooks: WebhookDispatcher | null = null;
  let orphans: { stop(): Promise<void> } | null = null;
  const worker = new RecordWorker({
    store,
    // Invocation records carry a pointer to their payload: this streams it from the blob store.
    backends: invocationAwareBackends(backends, blobs),
    routes,
    owner,
    leaseMs: w.leaseMs,
    claimBatch: w.claimBatch,
    pollMs: w.pollMs,
    onIdle: () => maintenance?.poke(),
    onAttempt: o.metrics?.onAttempt,
    // Stops stop (docs/architecture.md): budgets are enforced before each request, a stop drops
    // the prefetch at once; with other processes on the store, stops made there are looked for.
    pricing: routePricing(config.routes),
    abortInFlightOnStop: w.abortInFlightOnStop ?? false,
    stopCheckMs: usesPostgres(config) ? (w.stopCheckMs ?? DEFAULT_STOP_CHECK_MS) : null,
    onJobStopped: () => {
      hint();
      maintenance?.poke();
    },
  });
  const validation = new ValidationRunner({
    store,
    blobs,
    routes: routeTable,
    owner,
    leaseMs: w.leaseMs,
    maxAttemptsFor: (route) => routeTable.byName(route)?.maxAttempts ?? 1,
    limits: validationLimits(config.validation),
    onValidated: () => {
      worker.wake();
      hint();
    },
  });
  const lookForWork = () => {
    // Validation first: a new batch's records exist only once it is done, and it is on the
    // submit-to-start path; the worker and maintenance look right after.
    void validation.drain();
    setImmediate(() => {
      worker.wake();
      maintenance?.poke();
    });
  };

  const onElected = () => {
    maintenance = new Maintenance({
      store,
      blobs,
      intervalMs: w.maintenanceMs,
      outputRetentionMs: config.retention.outputFileMs,
      onWorkRequeued: () => {
        worker.wake();
        hint();
      },
      pricing: routePricing(config.routes),
      onJobEnded: () => webhooks?.poke(),
      onJobStopped: (jobId, error) => {
        worker.stopJob(jobId, error);
        hint();
      },
    });
    webhooks = new WebhookDispatcher({
      store,
      blobs,
      config: webhooksConfig(config),
      onAttempt: o.metrics?.onWebhookAttempt,
    });
    retention = new RetentionSweep({
      store,
      blobs,
      intervalMs: RETENTION_SWEEP_MS,
      retainJobsMs: config.retention.outputFileMs,
    });
    maintenance.start();
    retention.start();
    orphans = startOrphanSweep(blobs, config);
    webhooks.start();
  };
  const onDeposed = async () => {
    const [m, r, h] = [maintenance, retention, webhooks];
    maintenance = null;
    retention = null;
    webhooks = null;
    await orphans?.stop();
    orphans = null;
    await m?.stop();
    await r?.stop();
    await h?.stop();
  };
  const election =
    leadership === "elect"
      ? new LeaderElection({
          store,
          name: MAINTENANCE,
          owner,
          leaseMs: w.leaderLeaseMs ?? w.leaseMs,
          onElected,
          onDeposed,
        })
      : null;
  const presence =
    leadership === "elect"
      ? new WorkerPresence({
          store,
          owner,
          routes: routes.map((r) => r.name),
          intervalMs: Math.max(50, Math.floor(w.leaseMs / 3)),
          staleMs: w.leaseMs,
          onShare: (share) => worker.setShare(share),
        })
      : null;

  const unsubscribe = [
    o.signal?.subscribe(lookForWork),
    store.onWorkHint?.(lookForWork),
    // A cancel in this process's API: its prefetch is dropped before the API answers.
    o.signal?.onJobStopped((jobId) => worker.stopJob(jobId)),
    // Every cancel and stop elsewhere sends a hint: look at once whether prefetched jobs stopped.
    store.onWorkHint?.(() => void worker.checkStops()),
  ];
  // Hints can be lost (a listener reconnecting): polling for validation work stays the truth,
  // as the record worker's own poll does for records.
  const validationPoll = setInterval(() => void validation.drain(), w.pollMs);
  validationPoll.unref();

  worker.start();
  presence?.start();
  if (election) election.start();
  else onElected();
  void validation.drain();

  let closed: Promise<void> | undefined;
  return {
    owner,
    store,
    get isLeader() {
      return election ? election.isLeader : maintenance !== null;
    },
    close(graceMs = 10_000) {
      closed ??= (async () => {
        clearInterval(validationPoll);
        for (const u of unsubscribe) u?.();
        await worker.stop(graceMs);
        // Records given back: wake the other workers now rather than at their next poll.
        hint();
        if (election) await election.stop();
        else await onDeposed();
        await presence?.stop();
        if (ownsStore) {
          await backends.closeAll();
          await store.close();
        }
      })();
      return closed;
    },
  };
}
