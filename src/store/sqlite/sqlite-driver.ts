import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";
import { DocketError } from "../../domain/errors.js";
import { NodeSqliteDatabase, type NodeSqliteModule } from "./node-sqlite-database.js";
import type { SqliteDatabase } from "./sqlite-database.js";

export type {
  SqliteDatabase,
  SqliteRunResult,
  SqliteStatement,
  SqliteTransaction,
} from "./sqlite-database.js";

/**
 * The one seam between Docket and a SQLite binding: the small, synchronous subset of
 * better-sqlite3's API the store uses, so the store's code reads the same on either engine.
 *
 * - Node 20 and 22: better-sqlite3 (the native addon; the only synchronous SQLite on Node 20),
 *   returned as is, so the hot path costs exactly what it did.
 * - Node 24 and later: Node's built-in `node:sqlite`. better-sqlite3 12.x aborts the process at
 *   random there (`Statement::~Statement` during GC, nodejs/node#65446) and 13.x, which works on
 *   24, segfaults on Node 20; the built-in module needs no native build, no ABI match, and
 *   cannot fall out of step with the runtime. better-sqlite3 is never loaded on Node 24.
 *
 * `DOCKET_SQLITE_DRIVER=better-sqlite3|node:sqlite` overrides the choice (tests, or a Node 22
 * user who prefers the built-in module).
 */
export type SqliteDriverName = "better-sqlite3" | "node:sqlite";

export function sqliteDriverName(): SqliteDriverName {
  const forced = process.env.DOCKET_SQLITE_DRIVER;
  if (forced === "better-sqlite3" || forced === "node:sqlite") return forced;
  if (forced) {
    throw new DocketError(
      "invalid_config",
      `DOCKET_SQLITE_DRIVER must be "better-sqlite3" or "node:sqlite" (got ${JSON.stringify(forced)}).`,
    );
  }
  const major = Number.parseInt(process.versions.node.split(".")[0]!, 10);
  return major >= 24 ? "node:sqlite" : "better-sqlite3";
}

export interface SqliteOpenOptions {
  /** How long a statement waits for another connection's lock (busy timeout); default 5 s. */
  timeoutMs?: number;
}

/** Opens (creating if missing) the SQLite file at `path`, or `:memory:`. */
export function openSqliteDatabase(path: string, options: SqliteOpenOptions = {}): SqliteDatabase {
  const timeout = options.timeoutMs ?? 5_000; // better-sqlite3's own default
  return sqliteDriverName() === "node:sqlite"
    ? openNodeSqlite(path, timeout)
    : openBetterSqlite(path, timeout);
}

/** True for "database is locked / busy" from either driver (another connection holds a lock). */
export function isSqliteBusy(err: unknown): boolean {
  const e = err as { code?: unknown; errcode?: unknown } | null;
  if (!e) return false;
  if (typeof e.code === "string" && e.code.startsWith("SQLITE_BUSY")) return true; // better-sqlite3
  return typeof e.errcode === "number" && (e.errcode & 0xff) === 5; // node:sqlite: SQLITE_BUSY
}

const require = createRequire(import.meta.url);

function openBetterSqlite(path: string, timeout: number): SqliteDatabase {
  let Database: typeof BetterSqlite3;
  try {
    Database = require("better-sqlite3") as typeof BetterSqlite3;
  } catch (err) {
    throw new DocketError(
      "sqlite_driver_missing",
      `The SQLite driver better-sqlite3 (used on Node ${process.versions.node}) could not be loaded: ${(err as Error).message}. Run \`npm rebuild better-sqlite3\`, or use Node 24 or later, which has SQLite built in.`,
    );
  }
  // Structurally the same API: no wrapper, so Node 20's hot path is unchanged.
  return new Database(path, { timeout }) as unknown as SqliteDatabase;
}

function openNodeSqlite(path: string, timeout: number): SqliteDatabase {
  const mod = process.getBuiltinModule?.("node:sqlite") as NodeSqliteModule | undefined;
  if (!mod) {
    throw new DocketError(
      "sqlite_driver_missing",
      `node:sqlite is not available on Node ${process.versions.node}; use Node 24 or later, or unset DOCKET_SQLITE_DRIVER.`,
    );
  }
  return new NodeSqliteDatabase(mod, path, timeout);
}
