import type { DocketConfig } from "../config/config.js";
import { asyncApiDeps } from "../events/api-deps.js";
import { DocketMetrics } from "../events/metrics.js";
import { startApiServer } from "../http/server.js";
import type { Store } from "../store/store.js";
import { openBlobs } from "./open-blobs.js";
import { openStore } from "./open-store.js";
import type { WorkSignal } from "./work-signal.js";

export interface RunningApiProcess {
  url: string;
  store: Store;
  /** Stops accepting, finishes the requests in flight, then closes the store. */
  close(): Promise<void>;
}

/**
 * How the API says "work arrived": to workers in the same process (the in-process signal) and
 * to workers elsewhere (the store's NOTIFY hint). Both are hints; workers poll regardless.
 */
export function apiWorkEvents(
  store: Store,
  local?: WorkSignal,
): { workAvailable(): void; jobStopped(jobId: string): void } {
  return {
    workAvailable() {
      local?.workAvailable();
      store.hintWork?.().catch(() => {});
    },
    // Workers in other processes learn of the stop from the hint workAvailable sends with it.
    jobStopped(jobId) {
      local?.jobStopped(jobId);
    },
  };
}

/** `docket api`: the HTTP API only, stateless; run as many behind a load balancer as needed. */
export async function startApiProcess(config: DocketConfig): Promise<RunningApiProcess> {
  const store = await openStore(config);
  try {
    const api = await startApiServer({
      store,
      blobs: openBlobs(config),
      config: config.server,
      events: apiWorkEvents(store),
      // Backlog gauges come from the store; attempt counters live in the worker processes.
      async: asyncApiDeps(
        config,
        new DocketMetrics(
          store,
          config.routes.map((r) => r.name),
        ),
      ),
      host: config.server.host,
      port: config.server.port,
    });
    return {
      url: api.url,
      store,
      async close() {
        await api.close();
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}
