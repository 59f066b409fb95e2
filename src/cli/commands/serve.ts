import type { Command } from "commander";
import { loadConfig } from "../../config/load-config.js";
import { startEmbedded } from "../../runtime/embedded.js";
import { closeOnSignals } from "../close-on-signals.js";
import { checkPortFree, listenError } from "../port-check.js";
import { addBackendOptions, backendOverrides } from "./backend-options.js";

export function registerServeCommand(program: Command): void {
  const command = program
    .command("serve")
    .description("Run the API, workers and maintenance in one process (SQLite + local disk)")
    .option("-p, --port <port>", "port to listen on (default 8080)", (v) => Number.parseInt(v, 10))
    .option("--host <host>", "interface to bind (default 127.0.0.1)")
    .option("--insecure-no-auth", "allow a non-loopback --host without any API key (trusted networks only)")
    .option("-d, --data-dir <dir>", "where the database and files live (default .docket)")
    .option("-c, --config <file>", "docket.config.json with routes and settings")
    .option("--database-url <url>", "run all-in-one on PostgreSQL instead of SQLite (postgres://…)")
    .option("--database-schema <name>", "PostgreSQL schema for Docket's tables")
    .option("--blobs-dir <dir>", "keep files in this directory instead of <data-dir>/blobs");
  addBackendOptions(command).action(async (o) => {
    const config = loadConfig({
      configPath: o.config,
      dataDir: o.dataDir,
      host: o.host,
      port: o.port,
      insecureNoAuth: o.insecureNoAuth === true,
      ...backendOverrides(o),
      databaseUrl: o.databaseUrl,
      databaseSchema: o.databaseSchema,
      blobsDir: o.blobsDir,
    });
    // Before the data dir or database is created: a busy port must leave nothing behind.
    const { host, port } = config.server;
    await checkPortFree(host, port);
    if (config.routes.length === 0) {
      console.error(
        "warning: no routes configured, so every batch will fail validation. Pass --backend URL or --config FILE.",
      );
    }
    const docket = await startEmbedded(config).catch((err: unknown) => {
      throw listenError(err, host, port);
    });
    console.log(
      `docket listening on ${docket.url} (data in ${config.dataDir}, ${config.routes.length} route(s))`,
    );
    closeOnSignals("docket", () => docket.close());
  });
}
