import { mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DocketError } from "../domain/errors.js";
import { isSqliteBusy, openSqliteDatabase, type SqliteDatabase } from "../store/sqlite/sqlite-driver.js";

/** The lock itself: an empty SQLite file this process holds an exclusive OS lock on. */
export const LOCK_FILE = "docket.lock";
/** Who holds it, for people and error messages only: never consulted to decide anything. */
export const PID_FILE = "docket.pid";
/**
 * How long a start waits for the lock: a holder that was just SIGKILLed releases it as the
 * kernel tears the process down, which may finish a moment after `kill` returned.
 */
const WAIT_MS = 3_000;

/**
 * One embedded `docket serve` per data directory. Holding the lock is what lets start-up treat
 * every lease in the SQLite database as abandoned (its holder must be dead) and recover at once
 * instead of waiting a lease out.
 *
 * The lock is SQLite's own file lock (an fcntl lock, through the same driver as the store) on
 * `docket.lock`, held in `locking_mode=EXCLUSIVE` for the life of the process. The operating
 * system drops it when the process dies, however it dies, so a restart right after a SIGKILL
 * always gets it, and a zombie or a recycled PID (usual in containers) can never hold it — the
 * pid-file-plus-`kill(pid, 0)` check this replaces could be fooled by both.
 *
 * Never open `docket.lock` with plain fs calls in this process: closing any descriptor of a file
 * drops all of the process's fcntl locks on it.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const db = holdLock(join(dataDir, LOCK_FILE), dataDir);
  const pidPath = join(dataDir, PID_FILE);
  try {
    writeFileSync(pidPath, `${process.pid}\n`);
  } catch {
    // information only: the lock is what counts
  }
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    rmSync(pidPath, { force: true }); // before releasing, so a successor's pid file is never removed
    db.close();
  };
}

function holdLock(path: string, dataDir: string): SqliteDatabase {
  for (let attempt = 0; ; attempt++) {
    let db: SqliteDatabase | undefined;
    try {
      db = openSqliteDatabase(path, { timeoutMs: WAIT_MS });
      db.pragma("locking_mode = EXCLUSIVE");
      // In exclusive locking mode the lock taken here is kept after COMMIT, until close.
      db.exec("BEGIN EXCLUSIVE");
      db.exec("COMMIT");
      return db;
    } catch (err) {
      db?.close();
      if (isSqliteBusy(err)) throw lockedBy(dataDir);
      // Docket never writes to the lock file; any content is foreign and safe to drop (a live
      // holder's lock is on the file, not on its bytes).
      if (attempt === 0 && isNotADatabase(err)) {
        truncateSync(path, 0);
        continue;
      }
      throw new DocketError(
        "data_dir_lock_failed",
        `Could not lock ${dataDir} (${path}): ${(err as Error).message}`,
      );
    }
  }
}

function lockedBy(dataDir: string): DocketError {
  const pid = readPid(join(dataDir, PID_FILE));
  return new DocketError(
    "data_dir_locked",
    `Another docket process${pid ? ` (pid ${pid})` : ""} is using ${dataDir}. Stop it, or use another --data-dir; to share work between processes, use PostgreSQL (docs/deployment.md).`,
  );
}

function readPid(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, "utf8"), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isNotADatabase(err: unknown): boolean {
  const e = err as { code?: unknown; errcode?: unknown } | null;
  return e?.code === "SQLITE_NOTADB" || (typeof e?.errcode === "number" && (e.errcode & 0xff) === 26);
}
