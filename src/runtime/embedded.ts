import { BackendRegistry } from "../backends/backend-registry.js";
import type { DocketConfig } from "../config/config.js";
import { asyncApiDeps } from "../events/api-deps.js";
import { DocketMetrics } from "../events/metrics.js";
import { startApiServer } from "../http/server.js";
import type { Store } from "../store/store.js";
import { apiWorkEvents } from "./api-process.js";
import { lockDataDir } from "./data-dir-lock.js";
import { openBlobs } from "./open-blobs.js";
import { openStore, usesPostgres } from "./open-store.js";
import { sweepOrphansAtStart } from "./orphan-sweep.js";
import { WorkSignal } from "./work-signal.js";
import { startWorkerProcess } from "./worker-process.js";

export interface RunningDocket {
  url: string;
  store: Store;
  close(options?: { graceMs?: number }): Promise<void>;
}

/**
 * `docket serve`: API, worker, validation and maintenance in one process — on SQLite and the
 * local disk by default (the embedded mode that needs nothing but Node), or all-in-one on
 * PostgreSQL beside other `docket api`/`docket worker` processes when the config says so.
 * The same pieces as the split processes, sharing one store and an in-process wake-up.
 */
export async function startEmbedded(
  config: DocketConfig,
  backends = new BackendRegistry(),
): Promise<RunningDocket> {
  // On SQLite this process is the only one on the database (the lock proves it), so every
  // lease found at start-up belongs to a process that died: take them over at once.
  const unlock = usesPostgres(config) ? () => {} : lockDataDir(config.dataDir);
  let store: Store;
  try {
    store = await openStore(config);
    if (!usesPostgres(config)) await store.expireAllLeases(Date.now());
  } catch (err) {
    unlock();
    throw err;
  }
  const blobs = openBlobs(config);
  await sweepOrphansAtStart(blobs, config);
  const signal = new WorkSignal();
  const metrics = new DocketMetrics(
    store,
    config.routes.map((r) => r.name),
  );
  const worker = await startWorkerProcess(config, { store, blobs, backends, signal, metrics });
  let api: Awaited<ReturnType<typeof startApiServer>>;
  try {
    api = await startApiServer({
      store,
      blobs,
      config: config.server,
      events: apiWorkEvents(store, signal),
      async: asyncApiDeps(config, metrics),
      host: config.server.host,
      port: config.server.port,
    });
  } catch (err) {
    await worker.close(0);
    await store.close();
    unlock();
    throw err;
  }

  return {
    url: api.url,
    store,
    async close(options = {}) {
      await api.close();
      await worker.close(options.graceMs ?? 10_000);
      await backends.closeAll();
      await store.close();
      unlock();
    },
  };
}
