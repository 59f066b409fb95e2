import { join } from "node:path";
import type { DocketConfig } from "../config/config.js";
import { DocketError } from "../domain/errors.js";
import { openPostgresStore } from "../store/postgres/postgres-store.js";
import { openSqliteStore } from "../store/sqlite/sqlite-store.js";
import type { Store } from "../store/store.js";

/** True when the config names a PostgreSQL server rather than the embedded SQLite file. */
export function usesPostgres(config: DocketConfig): boolean {
  return config.databaseUrl !== null && /^postgres(ql)?:\/\//.test(config.databaseUrl);
}

/**
 * The store a process runs on: SQLite at `<dataDir>/docket.db` when `databaseUrl` is unset or
 * `sqlite`, PostgreSQL for a `postgres://` URL (migrated on open, safely from many processes).
 */
export async function openStore(config: DocketConfig): Promise<Store> {
  const url = config.databaseUrl;
  if (url === null || url === "sqlite") {
    return openSqliteStore({
      path: join(config.dataDir, "docket.db"),
      synchronous: config.worker.sqliteSynchronous,
    });
  }
  if (usesPostgres(config)) {
    return openPostgresStore({
      url,
      ...(config.databaseSchema ? { schema: config.databaseSchema } : {}),
      poolSize: config.databasePoolSize,
      timeouts: {
        connectTimeoutMs: config.databaseConnectTimeoutMs,
        statementTimeoutMs: config.databaseStatementTimeoutMs,
        idleInTransactionTimeoutMs: config.databaseIdleInTransactionTimeoutMs,
      },
    });
  }
  throw new DocketError(
    "invalid_config",
    `databaseUrl must be "sqlite" or a postgres:// URL such as postgres://docket@db:5432/docket (got ${JSON.stringify(url)}).`,
  );
}
