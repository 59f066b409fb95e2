import { hostname } from "node:os";
import { join } from "node:path";
import { BackendRegistry } from "../backends/backend-registry.js";
import { LocalDirBlobStore } from "../blobs/local-dir-blob-store.js";
import type { DocketConfig } from "../config/config.js";
import { newId } from "../domain/ids.js";
import { startApiServer } from "../http/server.js";
import { RouteTable } from "../routing/route-table.js";
import { openSqliteStore } from "../store/sqlite/sqlite-store.js";
import type { Store } from "../store/store.js";
import { ValidationRunner } from "../validation/validation-runner.js";
import { Maintenance } from "../worker/maintenance.js";
import { RecordWorker } from "../worker/record-worker.js";
import { WorkSignal } from "./work-signal.js";

export interface RunningDocket {
  url: string;
  store: Store;
  close(options?: { graceMs?: number }): Promise<void>;
}

/**
 * `docket serve`: API, worker, validation and maintenance in one process on SQLite and the
 * local disk — the embedded default that needs nothing but Node.
 */
export async function startEmbedded(
  config: DocketConfig,
  backends = new BackendRegistry(),
): Promise<RunningDocket> {
  const store = openSqliteStore({
    path: join(config.dataDir, "docket.db"),
    synchronous: config.worker.sqliteSynchronous,
  });
  const blobs = new LocalDirBlobStore(join(config.dataDir, "blobs"));
  const routes = new RouteTable(config.routes);
  const owner = `${hostname()}:${process.pid}:${newId("", 6)}`;
  const signal = new WorkSignal();

  const maintenance = new Maintenance({
    store,
    blobs,
    intervalMs: config.worker.maintenanceMs,
    outputRetentionMs: config.retention.outputFileMs,
    onWorkRequeued: () => worker.wake(),
  });
  const worker = new RecordWorker({
    store,
    backends,
    routes: config.routes,
    owner,
    leaseMs: config.worker.leaseMs,
    claimBatch: config.worker.claimBatch,
    pollMs: config.worker.pollMs,
    onIdle: () => maintenance.poke(),
  });
  const validation = new ValidationRunner({
    store,
    blobs,
    routes,
    owner,
    leaseMs: config.worker.leaseMs,
    maxAttemptsFor: (route) => routes.byName(route)?.maxAttempts ?? 1,
    onValidated: () => worker.wake(),
  });
  signal.subscribe(() => {
    void validation.drain();
    worker.wake();
    maintenance.poke();
  });

  const api = await startApiServer({
    store,
    blobs,
    config: config.server,
    events: signal,
    host: config.server.host,
    port: config.server.port,
  });
  worker.start();
  maintenance.start();
  void validation.drain();

  return {
    url: api.url,
    store,
    async close(options = {}) {
      await api.close();
      await worker.stop(options.graceMs ?? 10_000);
      await maintenance.stop();
      await backends.closeAll();
      await store.close();
    },
  };
}
