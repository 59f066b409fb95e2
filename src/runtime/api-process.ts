import type { DocketConfig } from "../config/config.js";
import type { Store } from "../store/store.js";
import { assemble } from "./assemble.js";
import { startApi } from "./start-api.js";

export interface RunningApiProcess {
  url: string;
  store: Store;
  /** Stops accepting, finishes the requests in flight, then closes the store. */
  close(): Promise<void>;
}

/** `docket api`: the HTTP API only, stateless; run as many behind a load balancer as needed. */
export async function startApiProcess(config: DocketConfig): Promise<RunningApiProcess> {
  const parts = await assemble(config, { role: "api" });
  try {
    const api = await startApi(parts);
    return {
      url: api.url,
      store: parts.store,
      async close() {
        await api.close();
        await parts.close();
      },
    };
  } catch (err) {
    await parts.close();
    throw err;
  }
}
