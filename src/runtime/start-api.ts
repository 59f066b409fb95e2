import { asyncApiDeps } from "../http/async-api-deps.js";
import { ProjectQuotas } from "../http/quotas.js";
import { type RunningApiServer, startApiServer } from "../http/server.js";
import type { Assembly } from "./assemble.js";
import { refuseExposedOpenServer } from "./open-server-guard.js";

/**
 * How the API says "work arrived": to workers in the same process (the in-process signal) and
 * to workers elsewhere (the store's work hint). Both are hints; workers poll regardless.
 */
export function apiWorkEvents(parts: Assembly): {
  workAvailable(): void;
  jobStopped(jobId: string): Promise<void>;
} {
  return {
    workAvailable() {
      parts.signal?.workAvailable();
      parts.hintWork();
    },
    // Workers in other processes learn of the stop from the hint, sent before the cancel answers:
    // sent after it, workers elsewhere went on starting records for the hint's round trip and
    // theirs (issue 17, "stop means stop"; test/e2e/pg-split-cancel.test.ts). The one hint also
    // wakes them to write the job's end, as `workAvailable` would (announceStop: not both).
    async jobStopped(jobId) {
      parts.signal?.jobStopped(jobId);
      parts.signal?.workAvailable();
      await parts.hintWorkSent();
    },
  };
}

/** The HTTP API on an assembled process: written once for `docket serve` and `docket api`. */
export async function startApi(parts: Assembly): Promise<RunningApiServer> {
  const { config } = parts;
  await refuseExposedOpenServer(config.server, parts.store);
  return startApiServer({
    store: parts.store,
    blobs: parts.blobs,
    config: config.server,
    events: apiWorkEvents(parts),
    async: asyncApiDeps(config, parts.metrics ?? undefined),
    quotas: new ProjectQuotas(config.projects, parts.store),
    dashboard: {
      pricing: parts.limits.pricing,
      // Live route figures exist where a worker runs in this process (`serve`); `api` has none.
      routeStats: (now) => parts.routeMonitor?.snapshot(now) ?? null,
    },
    host: config.server.host,
    port: config.server.port,
  });
}
