import type { Dirent } from "node:fs";
import { lstat, readdir, unlink } from "node:fs/promises";
import path from "node:path";

/**
 * The temp files LocalDirBlobStore writes beside a blob before renaming it into place:
 * `<key>.<12 hex digits>.tmp`. Only these are ever swept, so a blob directory shared with
 * anything else loses nothing that is not Docket's.
 */
export const TEMP_FILE_NAME = /\.[0-9a-f]{12}\.tmp$/;

/** Blob keys are a few levels deep; this bounds the walk on a directory tree nobody expected. */
const MAX_DEPTH = 32;

/**
 * Deletes the temp files under `root` last modified before `cutoff` (epoch ms; Infinity: all).
 * A writer touches its temp file with every chunk, so one untouched for long is an orphan of a
 * crashed or killed writer (a rename that never happened). Returns how many were deleted.
 * Files that vanish meanwhile (their writer finished or failed) are skipped, not errors.
 */
export async function sweepTempFiles(root: string, cutoff: number): Promise<number> {
  let removed = 0;
  const dirs: Array<{ dir: string; depth: number }> = [{ dir: root, depth: 0 }];
  while (dirs.length > 0) {
    const { dir, depth } = dirs.pop()!;
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (isGone(err)) continue;
      throw err;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (depth < MAX_DEPTH) dirs.push({ dir: full, depth: depth + 1 });
      } else if (entry.isFile() && TEMP_FILE_NAME.test(entry.name)) {
        if (await removeIfOlder(full, cutoff)) removed++;
      }
    }
  }
  return removed;
}

async function removeIfOlder(file: string, cutoff: number): Promise<boolean> {
  try {
    if ((await lstat(file)).mtimeMs >= cutoff) return false;
    await unlink(file);
    return true;
  } catch (err) {
    if (isGone(err)) return false;
    throw err;
  }
}

function isGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}
