import { join } from "node:path";
import type { DocketConfig } from "../config/config.js";
import { DocketError } from "../domain/errors.js";
import { openSqliteStore } from "../store/sqlite/sqlite-store.js";
import type { Store } from "../store/store.js";
import { lockDataDir } from "./data-dir-lock.js";

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
    // Loaded only here: an embedded `serve` restarting after a crash should not compile `pg`.
    const { openPostgresStore } = await import("../store/postgres/postgres-store.js");
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

/**
 * The store for a process that will run on it, and how to let go of it. The embedded SQLite
 * file is one process's alone: its data directory is locked before the database is opened
 * (and released after it is closed), so no second `docket serve` can open it meanwhile.
 * Everything after this asks the store's capabilities, not which engine it is.
 */
export async function openProcessStore(
  config: DocketConfig,
): Promise<{ store: Store; release(): Promise<void> }> {
  const unlock = usesPostgres(config) ? () => {} : lockDataDir(config.dataDir);
  try {
    const store = await openStore(config);
    return {
      store,
      async release() {
        await store.close();
        unlock();
      },
    };
  } catch (err) {
    unlock();
    throw err;
  }
}
