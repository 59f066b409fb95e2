import type { Command } from "commander";
import { loadConfig } from "../../config/load-config.js";
import { DocketError } from "../../domain/errors.js";
import { startApiProcess } from "../../runtime/api-process.js";
import { usesPostgres } from "../../runtime/open-store.js";
import { closeOnSignals } from "../close-on-signals.js";
import { checkPortFree, listenError } from "../port-check.js";
import { addBackendOptions, backendOverrides } from "./backend-options.js";
import { addDatabaseOptions, databaseOverrides } from "./database-options.js";

export function registerApiCommand(program: Command): void {
  addBackendOptions(
    addDatabaseOptions(
      program
        .command("api")
        .description("Run the HTTP API only, on PostgreSQL (pair it with `docket worker` processes)")
        .option("-p, --port <port>", "port to listen on (default 8080)", (v) => Number.parseInt(v, 10))
        .option("--host <host>", "interface to bind (default 127.0.0.1)")
        .option(
          "--insecure-no-auth",
          "allow a non-loopback --host without any API key (trusted networks only)",
        ),
    ),
  ).action(async (o) => {
    const config = loadConfig({
      ...databaseOverrides(o),
      ...backendOverrides(o),
      host: o.host,
      port: o.port,
      insecureNoAuth: o.insecureNoAuth === true,
    });
    requirePostgres(usesPostgres(config), "api");
    // Before connecting to anything: a busy port is the commonest start-up mistake.
    await checkPortFree(config.server.host, config.server.port);
    const api = await startApiProcess(config).catch((err: unknown) => {
      throw listenError(err, config.server.host, config.server.port);
    });
    console.log(`docket api listening on ${api.url}`);
    closeOnSignals("docket api", () => api.close());
  });
}

/** Split processes only make sense on a database they can all reach. */
export function requirePostgres(postgres: boolean, command: string): void {
  if (!postgres) {
    throw new DocketError(
      "invalid_config",
      `docket ${command} needs a PostgreSQL database shared by all processes: pass --database-url postgres://… (or set databaseUrl in the config). For one process on SQLite, use docket serve.`,
    );
  }
}
