import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { DocketError } from "../domain/errors.js";

/**
 * One embedded `docket serve` per data directory. Holding the lock is what lets start-up treat
 * every lease in the SQLite database as abandoned (its holder must be dead) and recover at once
 * instead of waiting a lease out. A lock left by a process that no longer exists is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, "docket.pid");
  for (let tries = 0; tries < 3; tries++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = Number.parseInt(readFileSync(path, "utf8"), 10);
      if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
        throw new DocketError(
          "data_dir_locked",
          `Another docket process (pid ${holder}) is using ${dataDir}. Stop it, or use another --data-dir; to share work between processes, use PostgreSQL (docs/deployment.md).`,
        );
      }
      rmSync(path, { force: true }); // stale: its process is gone
    }
  }
  throw new DocketError("data_dir_locked", `Could not lock ${dataDir} (${path}).`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
