import type { Store } from "../store/store.js";
import type { Duty } from "./duty.js";

export interface WorkerPresenceOptions {
  store: Store;
  owner: string;
  routes: string[];
  intervalMs: number;
  /** A heartbeat older than this no longer counts the process as alive. */
  staleMs: number;
  /** This process's share of shared budgets changed: 1 / live worker processes. */
  onShare: (share: number) => void;
}

/**
 * An every-process duty: keeps this worker process in the database's worker registry and
 * tells it its share of each route's rate limits: with N live workers, each spends 1/N of the
 * route's rpm and tpm, so the fleet together stays within what the provider allows. Stopping
 * takes the process out of the registry, so the others' shares grow at once.
 */
export function workerPresenceDuty(o: WorkerPresenceOptions): Duty {
  let share = 1;
  return {
    name: "worker presence",
    intervalMs: o.intervalMs,
    async pass() {
      try {
        const now = Date.now();
        await o.store.heartbeatWorker(o.owner, o.routes, now);
        const live = await o.store.liveWorkers(now, o.staleMs);
        const next = 1 / Math.max(1, live);
        if (next !== share) {
          share = next;
          o.onShare(next);
        }
      } catch (err) {
        // Keep the last share: a brief database hiccup should not double anyone's rate.
        console.error(`docket: worker heartbeat failed: ${(err as Error).message}`);
      }
    },
    async close() {
      await o.store.forgetWorker(o.owner).catch(() => {});
    },
  };
}
