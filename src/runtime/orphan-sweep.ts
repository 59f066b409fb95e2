import path from "node:path";
import type { BlobStore } from "../blobs/blob-store.js";
import type { DocketConfig } from "../config/config.js";
import { usesPostgres } from "./open-store.js";
import { PeriodicTask } from "./periodic-task.js";

const DEFAULT_GRACE_MS = 3_600_000;
const DEFAULT_SWEEP_MS = 600_000;

/**
 * True when no other process can be writing into this process's blob directory: embedded on
 * SQLite (the data-dir lock proves this is the only `docket serve` there) with the blobs in
 * the data dir. A blob directory set elsewhere may be shared, so it only gets the grace rule.
 */
export function ownsBlobDirAlone(config: DocketConfig): boolean {
  if (usesPostgres(config) || config.blobs.type !== "local") return false;
  const dataDir = path.resolve(config.dataDir);
  const blobs = path.resolve(config.blobs.dir ?? path.join(config.dataDir, "blobs"));
  const rel = path.relative(dataDir, blobs);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/**
 * Start-up sweep, before the API or worker write anything: with the blob directory to itself
 * every temp file there is an orphan of the previous run (killed mid-upload or mid-output);
 * otherwise only those untouched for the grace period, as in the periodic sweep.
 */
export async function sweepOrphansAtStart(blobs: BlobStore, config: DocketConfig): Promise<number> {
  if (!blobs.sweepOrphans) return 0;
  const cutoff = ownsBlobDirAlone(config) ? Number.POSITIVE_INFINITY : Date.now() - graceMs(config);
  try {
    return report(await blobs.sweepOrphans(cutoff));
  } catch (err) {
    // Leftovers cost disk space, not correctness: never a reason not to start.
    console.error(`docket: orphan temp-file sweep failed: ${(err as Error).message}`);
    return 0;
  }
}

/**
 * The periodic sweep (run by the maintenance leader): temp files untouched for the grace
 * period (default 1 h) are orphans, since live writers touch theirs at least every idle
 * timeout (a minute or two). The first pass runs at once.
 */
export function startOrphanSweep(blobs: BlobStore, config: DocketConfig): { stop(): Promise<void> } {
  const sweep = blobs.sweepOrphans?.bind(blobs);
  if (!sweep) return { stop: async () => {} };
  const task = new PeriodicTask(
    "orphan temp-file sweep",
    config.retention.tempSweepMs ?? DEFAULT_SWEEP_MS,
    async () => {
      report(await sweep(Date.now() - graceMs(config)));
    },
  );
  task.start();
  return { stop: () => task.stop() };
}

function graceMs(config: DocketConfig): number {
  return config.retention.tempFileGraceMs ?? DEFAULT_GRACE_MS;
}

function report(removed: number): number {
  if (removed > 0) {
    console.error(`docket: removed ${removed} orphaned temp file(s) left by interrupted uploads or outputs`);
  }
  return removed;
}
