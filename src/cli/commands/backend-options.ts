import type { Command } from "commander";
import type { ConfigOverrides } from "../../config/load-config.js";

/**
 * `--backend URL` (every model routed to one OpenAI-compatible server, after the config's
 * routes) and its key: shared by `serve`, `api` and `worker`, so a split deployment is started
 * the same way as the all-in-one one.
 */
export function addBackendOptions(command: Command): Command {
  return command
    .option(
      "--backend <url>",
      "route every model to this OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1",
    )
    .option("--backend-api-key <key>", "API key for --backend (or set DOCKET_BACKEND_API_KEY)");
}

export function backendOverrides(o: { backend?: string; backendApiKey?: string }): ConfigOverrides {
  if (!o.backend) return {};
  return {
    backendUrl: o.backend,
    backendApiKey: o.backendApiKey ?? process.env.DOCKET_BACKEND_API_KEY,
  };
}
