import type { BackendRegistry } from "../backends/backend-registry.js";
import type { DocketConfig } from "../config/config.js";
import type { Store } from "../store/store.js";
import { assemble } from "./assemble.js";
import { startWorker, type WorkerOptions } from "./start-worker.js";

export interface WorkerProcessOptions extends WorkerOptions {
  backends?: BackendRegistry;
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

/**
 * `docket worker`: validation, the record worker, and the leader duties while this process is
 * the elected leader. Stateless apart from its leases: start as many as the backends can feed.
 */
export async function startWorkerProcess(
  config: DocketConfig,
  o: WorkerProcessOptions = {},
): Promise<RunningWorkerProcess> {
  const { backends, ...options } = o;
  const parts = await assemble(config, { role: "worker", ...(backends ? { backends } : {}) });
  const worker = startWorker(parts, options);
  let closed: Promise<void> | undefined;
  return {
    owner: worker.owner,
    store: parts.store,
    get isLeader() {
      return worker.isLeader;
    },
    close(graceMs = 10_000) {
      closed ??= worker.close(graceMs).then(() => parts.close());
      return closed;
    },
  };
}
