import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { basename, dirname } from "node:path";
import { DocketError } from "../../domain/errors.js";
import { openSqliteDatabase, type SqliteDatabase } from "./sqlite-driver.js";
import { migrateSqlite } from "./sqlite-migrate.js";

const SQLITE_HEADER = Buffer.from("SQLite format 3\0", "latin1");
const SIDE_FILES = ["-wal", "-shm", "-journal"];

/**
 * Opens Docket's database, creating it only when no file is there. A file that exists but is
 * empty, is not SQLite, or holds no Docket schema is refused with what to do: starting it as a
 * new database would silently drop every file and batch it held (a truncated or overwritten
 * `docket.db` looks exactly like a fresh one to SQLite).
 *
 * A new database is built under a temporary name and renamed into place once its schema is in,
 * so a process killed while creating it never leaves a half-made file that the next start
 * would have to refuse.
 */
export function openDocketDatabase(path: string, synchronous: "FULL" | "NORMAL"): SqliteDatabase {
  if (path !== ":memory:") {
    mkdirSync(dirname(path), { recursive: true });
    if (existsSync(path)) checkExisting(path);
    else createAtomically(path);
  }
  let db: SqliteDatabase | undefined;
  try {
    db = openSqliteDatabase(path);
    if (path !== ":memory:") requireDocketSchema(db, path);
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${synchronous}`);
    db.pragma("busy_timeout = 5000");
    migrateSqlite(db);
    return db;
  } catch (err) {
    db?.close();
    throw isCorruption(err) ? refuse(path, `is damaged (${(err as Error).message})`) : err;
  }
}

function checkExisting(path: string): void {
  const size = statSync(path).size;
  if (size === 0) throw refuse(path, "is empty (0 bytes)", "sqlite_database_empty");
  const head = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(path, "r");
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (!head.equals(SQLITE_HEADER)) throw refuse(path, "is not a SQLite database");
}

function requireDocketSchema(db: SqliteDatabase, path: string): void {
  const row = db
    .prepare("SELECT 1 AS ok FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (!row) throw refuse(path, "is a SQLite database without Docket's tables (no schema_migrations)");
}

function createAtomically(path: string): void {
  const temp = `${path}.creating`;
  for (const f of [temp, ...SIDE_FILES.map((s) => temp + s)]) rmSync(f, { force: true });
  const db = openSqliteDatabase(temp);
  try {
    db.pragma("synchronous = FULL");
    migrateSqlite(db);
  } finally {
    db.close();
  }
  renameSync(temp, path);
  syncDir(dirname(path));
}

/** Makes the rename itself durable (best effort: not every filesystem allows it). */
function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // the database is still correct; only a power cut right now could undo the rename
  }
}

function isCorruption(err: unknown): boolean {
  const e = err as { code?: unknown; errcode?: unknown } | null;
  if (!e) return false;
  if (e.code === "SQLITE_CORRUPT" || e.code === "SQLITE_NOTADB") return true; // better-sqlite3
  const primary = typeof e.errcode === "number" ? e.errcode & 0xff : -1; // node:sqlite
  return primary === 11 || primary === 26;
}

function refuse(path: string, what: string, code = "sqlite_database_corrupt"): DocketError {
  return new DocketError(
    code,
    `The database ${path} ${what}. Docket will not start it as a new, empty database. To start fresh, move it (and any ${SIDE_FILES.map((s) => basename(path) + s).join(", ")} beside it) out of the data directory; to keep your data, restore it from a backup.`,
  );
}
