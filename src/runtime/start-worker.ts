import { hostname } from "node:os";
import { isOnDemandRoute } from "../config/batch-backend-config.js";
import { dedupConfig } from "../config/dedup-config.js";
import { webhooksConfig } from "../config/events-config.js";
import { projectWeights } from "../config/projects-config.js";
import { newId } from "../domain/ids.js";
import { dedupHandOnDuty } from "../duties/dedup-hand-on.js";
import { DutyRunner } from "../duties/duty-runner.js";
import { MAINTENANCE, maintenanceDuty } from "../duties/maintenance.js";
import { orphanTempSweepDuty } from "../duties/orphan-temp-sweep.js";
import { retentionSweepDuty } from "../duties/retention-sweep.js";
import { VALIDATION, validationDrainDuty } from "../duties/validation-drain.js";
import { WEBHOOK_DELIVERY, webhookDeliveryDuty } from "../duties/webhook-delivery.js";
import { workerPresenceDuty } from "../duties/worker-presence.js";
import { ValidationRunner } from "../validation/validation-runner.js";
import type { AttemptObserver } from "../worker/attempt-observer.js";
import { RecordWorker } from "../worker/record-worker.js";
import type { Assembly } from "./assemble.js";

export interface WorkerOptions {
  /** Every route's concurrency for this process (`docket worker --concurrency N`). */
  concurrency?: number;
  /** This process's name in leases, the leader table and the worker registry. */
  owner?: string;
}

export interface RunningWorker {
  owner: string;
  /** Whether this process currently runs the leader-only duties (maintenance and the rest). */
  readonly isLeader: boolean;
  /**
   * Graceful stop: queued records are given back at once, in-flight ones get `graceMs` to
   * finish and are then given back; the lead is resigned. Nothing waits for a lease. The
   * assembly (store, backends) is left open for its owner to close.
   */
  close(graceMs: number): Promise<void>;
}

/**
 * With other processes on the store, how often (at most) a worker with prefetched records asks
 * whether their jobs were stopped elsewhere, in case a work hint was lost.
 */
const DEFAULT_STOP_CHECK_MS = 100;

/**
 * The worker side of a process: validation, the record worker, and the duties — leader-only
 * ones (maintenance, retention, orphan temp files, webhook delivery) while this process leads,
 * which on a store of its own (`exclusive`) is always, else while elected among the processes.
 */
export function startWorker(parts: Assembly, o: WorkerOptions = {}): RunningWorker {
  const { config, store, blobs } = parts;
  const w = config.worker;
  const exclusive = store.capabilities.exclusive;
  const owner = o.owner ?? `${hostname()}:${process.pid}:${newId("", 6)}`;
  // Provider batch and `auto` routes are run by the provider batch duty, never sent by the worker.
  const onDemand = config.routes.filter(isOnDemandRoute);
  const routes = o.concurrency ? onDemand.map((r) => ({ ...r, concurrency: o.concurrency! })) : onDemand;
  const hint = parts.hintWork;
  const wake = (name: string) => duties.wake(name);

  const worker = new RecordWorker({
    store,
    backends: parts.backends,
    kinds: parts.kinds,
    routes,
    owner,
    leaseMs: w.leaseMs,
    claimBatch: w.claimBatch,
    pollMs: w.pollMs,
    onIdle: () => wake(MAINTENANCE),
    onAttempt: attemptObservers(parts),
    // Stops stop (docs/architecture.md): budgets are enforced before each request, a stop drops
    // the prefetch at once; with other processes on the store, stops made there are looked for.
    pricing: parts.limits.pricing,
    abortInFlightOnStop: w.abortInFlightOnStop ?? false,
    stopCheckMs: exclusive ? null : (w.stopCheckMs ?? DEFAULT_STOP_CHECK_MS),
    projectWeights: projectWeights(config.projects),
    projects: config.projects,
    onJobStopped: () => {
      hint();
      wake(MAINTENANCE);
    },
  });
  const validation = new ValidationRunner({
    store,
    blobs,
    routes: parts.routes,
    owner,
    leaseMs: w.leaseMs,
    maxAttemptsFor: (route) => parts.routes.byName(route)?.maxAttempts ?? 1,
    limits: parts.limits.validation,
    dedup: { config: dedupConfig(config), routes: parts.routes, pricing: parts.limits.pricing },
    onValidated: () => {
      worker.wake();
      hint();
    },
  });
  const sweepOrphans = blobs.sweepOrphans?.bind(blobs);
  const duties: DutyRunner = new DutyRunner({
    leadership: exclusive
      ? { kind: "always" }
      : { kind: "elect", store, lead: MAINTENANCE, owner, leaseMs: w.leaderLeaseMs ?? w.leaseMs },
    duties: [
      ...(exclusive
        ? []
        : [
            {
              scope: "every-process" as const,
              duty: workerPresenceDuty({
                store,
                owner,
                routes: routes.map((r) => r.name),
                intervalMs: Math.max(50, Math.floor(w.leaseMs / 3)),
                staleMs: w.leaseMs,
                onShare: (share) => worker.setShare(share),
              }),
            },
          ]),
      { scope: "every-process", duty: validationDrainDuty(validation, w.pollMs) },
      {
        scope: "leader",
        create: () =>
          maintenanceDuty({
            store,
            kinds: parts.kinds,
            intervalMs: w.maintenanceMs,
            outputRetentionMs: config.retention.outputFileMs,
            onWorkRequeued: () => {
              worker.wake();
              hint();
            },
            pricing: parts.limits.pricing,
            onJobEnded: () => wake(WEBHOOK_DELIVERY),
            onJobStopped: (jobId, error) => {
              worker.stopJob(jobId, error);
              hint();
            },
          }),
      },
      {
        scope: "leader",
        create: () => retentionSweepDuty({ store, blobs, retainJobsMs: config.retention.outputFileMs }),
      },
      // Identical requests once (docs/dedup-and-cache.md): followers and the cache get leaders' answers.
      {
        scope: "leader",
        create: () =>
          dedupHandOnDuty({
            store,
            config: dedupConfig(config),
            pricing: parts.limits.pricing,
            intervalMs: w.maintenanceMs,
            onHandedOn: () => wake(MAINTENANCE),
          }),
      },
      ...(sweepOrphans
        ? [{ scope: "leader" as const, create: () => orphanTempSweepDuty(sweepOrphans, config) }]
        : []),
      // Provider batch jobs (issue 13): one process at a time talks to the providers.
      ...(parts.providerBatchDuty
        ? [
            {
              scope: "leader" as const,
              create: () =>
                parts.providerBatchDuty!({
                  store,
                  routes: config.routes,
                  onChange: () => {
                    worker.wake();
                    wake(MAINTENANCE);
                    hint();
                  },
                })!,
            },
          ]
        : []),
      {
        scope: "leader",
        create: () =>
          webhookDeliveryDuty({
            store,
            blobs,
            config: webhooksConfig(config),
            onAttempt: parts.metrics?.onWebhookAttempt,
          }),
      },
    ],
  });

  const lookForWork = () => {
    // Validation first: a new batch's records exist only once it is done, and it is on the
    // submit-to-start path; the worker and maintenance look right after.
    wake(VALIDATION);
    setImmediate(() => {
      worker.wake();
      wake(MAINTENANCE);
    });
  };
  const hints = store.capabilities.workHints;
  const unsubscribe = [
    parts.signal?.subscribe(lookForWork),
    hints?.onWorkHint(lookForWork),
    // A cancel in this process's API: its prefetch is dropped before the API answers.
    parts.signal?.onJobStopped((jobId) => worker.stopJob(jobId)),
    // Every cancel and stop elsewhere sends a hint: look at once whether prefetched jobs stopped.
    hints?.onWorkHint(() => void worker.checkStops()),
  ];

  worker.start();
  duties.start();
  parts.routeMonitor?.attach(() => worker.routeLoad());

  let closed: Promise<void> | undefined;
  return {
    owner,
    get isLeader() {
      return duties.isLeader;
    },
    close(graceMs) {
      closed ??= (async () => {
        parts.routeMonitor?.detach();
        const validationStopped = duties.stop([VALIDATION]);
        for (const u of unsubscribe) u?.();
        await validationStopped;
        await worker.stop(graceMs);
        // Records given back: wake the other workers now rather than at their next poll.
        hint();
        // The lead first (its duties stopped, then resigned), then presence.
        await duties.stop();
      })();
      return closed;
    },
  };
}

/** The worker's attempt observers: metrics and the dashboard's route monitor, where they exist. */
function attemptObservers(parts: Assembly): AttemptObserver | undefined {
  const observers = [parts.metrics?.onAttempt, parts.routeMonitor?.onAttempt].filter((o) => o !== undefined);
  if (observers.length === 0) return undefined;
  return (o) => {
    for (const observe of observers) observe(o);
  };
}
