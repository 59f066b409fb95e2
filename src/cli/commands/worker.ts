import type { Command } from "commander";
import { loadConfig } from "../../config/load-config.js";
import { DocketError } from "../../domain/errors.js";
import { usesPostgres } from "../../runtime/open-store.js";
import { startWorkerProcess } from "../../runtime/worker-process.js";
import { closeOnSignals } from "../close-on-signals.js";
import { requirePostgres } from "./api.js";
import { addBackendOptions, backendOverrides } from "./backend-options.js";
import { addDatabaseOptions, databaseOverrides } from "./database-options.js";

export function registerWorkerCommand(program: Command): void {
  addBackendOptions(
    addDatabaseOptions(
      program
        .command("worker")
        .description("Claim and run records, on PostgreSQL; one of them also does maintenance (elected)")
        .option(
          "--concurrency <n>",
          "requests in flight per route in this process (overrides the config)",
          (v) => Number.parseInt(v, 10),
        )
        .option("--grace <ms>", "on SIGTERM, how long in-flight requests may finish (default 10000)", (v) =>
          Number.parseInt(v, 10),
        ),
    ),
  ).action(async (o) => {
    const config = loadConfig({ ...databaseOverrides(o), ...backendOverrides(o) });
    requirePostgres(usesPostgres(config), "worker");
    if (o.concurrency !== undefined && !(Number.isInteger(o.concurrency) && o.concurrency > 0))
      throw new DocketError("invalid_config", "--concurrency must be a positive integer.");
    if (o.grace !== undefined && !(Number.isInteger(o.grace) && o.grace >= 0))
      throw new DocketError("invalid_config", "--grace must be a number of milliseconds.");
    if (config.routes.length === 0)
      console.error(
        "warning: no routes configured, so this worker has nothing to run. Pass --backend URL or --config FILE.",
      );
    const worker = await startWorkerProcess(config, o.concurrency ? { concurrency: o.concurrency } : {});
    console.log(`docket worker ${worker.owner} started (${config.routes.length} route(s))`);
    closeOnSignals("docket worker", () => worker.close(o.grace ?? 10_000));
  });
}
