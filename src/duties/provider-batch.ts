import type { BatchApiClient } from "../backends/batch-apis/batch-api-client.js";
import { routePricing } from "../budget/job-pricing.js";
import { type BatchBackendConfig, batchQuotas, isBatchBackend } from "../config/batch-backend-config.js";
import type { RouteConfig } from "../config/config.js";
import { batchClientSpec } from "../offload/batch-client-spec.js";
import { createBatchApiClient } from "../offload/create-batch-client.js";
import { HybridRouter } from "../offload/hybrid-router.js";
import { ProviderBatchRunner } from "../offload/provider-batch-runner.js";
import type { Store } from "../store/store.js";
import type { Duty } from "./duty.js";

export const PROVIDER_BATCH = "provider-batch";

export interface ProviderBatchDutyOptions {
  store: Store;
  routes: readonly RouteConfig[];
  /** Default: the client for the route's backend type (offload/create-batch-client.ts). */
  createClient?: (backend: BatchBackendConfig, route: RouteConfig) => BatchApiClient;
  /** Records were written, given back or rerouted: wake the worker, maintenance, other processes. */
  onChange?: () => void;
  log?: (line: string) => void;
  now?: () => number;
}

/** A pass at least this often, whatever the routes' poll intervals (packing new records waits on it). */
const MAX_INTERVAL_MS = 1_000;

/**
 * The provider batch duty (issue 13, docs/provider-batch.md): for every batch route, its
 * provider jobs packed, submitted, polled and ingested; for every `auto` route, its jobs sent to
 * the batch or the on-demand route and pulled back when their window nears its end. Leader-only:
 * one process at a time talks to the providers (on SQLite, `serve`'s own).
 */
export function providerBatchDuty(o: ProviderBatchDutyOptions): Duty | null {
  const batchRoutes = o.routes.filter((r) => isBatchBackend(r.backend));
  if (batchRoutes.length === 0) return null;
  const now = o.now ?? Date.now;
  // Job budgets are checked before submission at the prices maintenance charges (routePricing).
  const pricing = routePricing([...o.routes]);
  const clients: BatchApiClient[] = [];
  const routers = o.routes.flatMap((r) =>
    r.backend.type === "auto" ? [new HybridRouter(o.store, r.name, r.backend, o.onChange)] : [],
  );
  const runners = batchRoutes.map((r) => {
    const backend = r.backend as BatchBackendConfig;
    const client = (o.createClient ?? createBatchApiClient)(backend, r);
    clients.push(client);
    const learners = routers.filter((h) => h.batchRoute === r.name);
    return new ProviderBatchRunner({
      store: o.store,
      route: r.name,
      client,
      // A client made by `createClient` (tests) is read in-process; the default one can be made again on a thread.
      clientSpec: o.createClient ? undefined : batchClientSpec(backend),
      pollMs: batchQuotas(backend).pollMs,
      modelId: backend.type === "bedrock-batch" ? backend.modelId : undefined,
      pricing,
      now,
      onChange: o.onChange,
      onTurnaround: (ms) => {
        for (const h of learners) h.observeTurnaround(ms);
      },
      log: o.log,
    });
  });
  const intervalMs = Math.min(
    MAX_INTERVAL_MS,
    ...batchRoutes.map((r) => batchQuotas(r.backend as BatchBackendConfig).pollMs),
  );
  return {
    name: PROVIDER_BATCH,
    intervalMs,
    async pass(stopping) {
      for (const h of routers) {
        if (stopping.aborted) return;
        await h.pass(now());
      }
      for (const runner of runners) {
        if (stopping.aborted) return;
        try {
          await runner.pass(stopping);
        } catch (err) {
          // One route's provider being down must not stop the others.
          o.log?.(`provider batch ${runner.route}: ${(err as Error).message}`);
        }
      }
    },
    async close() {
      await Promise.all(runners.map((r) => r.close().catch(() => {})));
      await Promise.all(clients.map((c) => c.close().catch(() => {})));
    },
  };
}
