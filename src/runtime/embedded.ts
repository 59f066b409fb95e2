import type { BackendRegistry } from "../backends/backend-registry.js";
import type { DocketConfig } from "../config/config.js";
import type { Store } from "../store/store.js";
import { assemble } from "./assemble.js";
import { startApi } from "./start-api.js";
import { startWorker } from "./start-worker.js";

export interface RunningDocket {
  url: string;
  store: Store;
  close(options?: { graceMs?: number }): Promise<void>;
}

/**
 * `docket serve`: API, worker, validation and the duties in one process — on SQLite and the
 * local disk by default (the embedded mode that needs nothing but Node), or all-in-one on
 * PostgreSQL beside other `docket api`/`docket worker` processes when the config says so.
 * The same pieces as the split processes, sharing one store and an in-process wake-up.
 */
export async function startEmbedded(
  config: DocketConfig,
  backends?: BackendRegistry,
): Promise<RunningDocket> {
  const parts = await assemble(config, { role: "serve", ...(backends ? { backends } : {}) });
  const worker = startWorker(parts);
  let api: Awaited<ReturnType<typeof startApi>>;
  try {
    api = await startApi(parts);
  } catch (err) {
    await worker.close(0);
    await parts.close();
    throw err;
  }
  return {
    url: api.url,
    store: parts.store,
    async close(options = {}) {
      await api.close();
      await worker.close(options.graceMs ?? 10_000);
      await parts.close();
    },
  };
}
