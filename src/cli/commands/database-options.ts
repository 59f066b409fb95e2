import type { Command } from "commander";
import type { ConfigOverrides } from "../../config/load-config.js";

const positiveInt = (v: string) => Number.parseInt(v, 10);

/** The options every database-backed process shares (`api`, `worker`, `serve`). */
export function addDatabaseOptions(command: Command): Command {
  return command
    .option("-c, --config <file>", "docket.config.json with routes and settings")
    .option("--database-url <url>", "postgres://user:pass@host:5432/db (or set DOCKET_DATABASE_URL)")
    .option("--database-schema <name>", "PostgreSQL schema for Docket's tables (default: search_path)")
    .option("--pool-size <n>", "PostgreSQL connections for this process (default 10)", positiveInt)
    .option("-d, --data-dir <dir>", "where the SQLite database and local files live (default .docket)")
    .option("--blobs-dir <dir>", "keep files in this directory (a mount shared by every process)");
}

export function databaseOverrides(o: {
  config?: string;
  databaseUrl?: string;
  databaseSchema?: string;
  poolSize?: number;
  dataDir?: string;
  blobsDir?: string;
}): ConfigOverrides {
  const out: ConfigOverrides = {};
  if (o.config) out.configPath = o.config;
  const url = o.databaseUrl ?? process.env.DOCKET_DATABASE_URL;
  if (url) out.databaseUrl = url;
  if (o.databaseSchema) out.databaseSchema = o.databaseSchema;
  if (o.poolSize !== undefined) out.databasePoolSize = o.poolSize;
  if (o.dataDir) out.dataDir = o.dataDir;
  if (o.blobsDir) out.blobsDir = o.blobsDir;
  return out;
}
