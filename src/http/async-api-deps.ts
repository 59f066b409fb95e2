import type { DocketConfig } from "../config/config.js";
import { invocationsConfig, webhooksConfig } from "../config/events-config.js";
import { RouteTable } from "../routing/route-table.js";
import type { AsyncApiDeps } from "./deps.js";

/**
 * The API's dependencies for invocations, webhooks, SSE and metrics, from the config: every
 * process that serves the API (`docket serve`, `docket api`) passes `async: asyncApiDeps(…)`.
 */
export function asyncApiDeps(
  config: DocketConfig,
  metrics?: { contentType: string; render(): Promise<string> },
): AsyncApiDeps {
  return {
    routes: new RouteTable(config.routes),
    invocations: invocationsConfig(config),
    webhooks: webhooksConfig(config),
    metrics,
    outputRetentionMs: config.retention.outputFileMs,
  };
}
