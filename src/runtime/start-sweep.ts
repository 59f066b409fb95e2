import path from "node:path";
import type { BlobStore } from "../blobs/blob-store.js";
import type { DocketConfig } from "../config/config.js";
import { reportOrphans, tempFileGraceMs } from "../duties/orphan-temp-sweep.js";
import { usesPostgres } from "./open-store.js";

/**
 * True when no other process can be writing into this process's blob directory: embedded on
 * SQLite (the data-dir lock proves this is the only `docket serve` there) with the blobs in
 * the data dir. A blob directory set elsewhere may be shared, so it only gets the grace rule.
 */
export function ownsBlobDirAlone(config: DocketConfig, storeIsExclusive = !usesPostgres(config)): boolean {
  if (!storeIsExclusive || config.blobs.type !== "local") return false;
  const dataDir = path.resolve(config.dataDir);
  const blobs = path.resolve(config.blobs.dir ?? path.join(config.dataDir, "blobs"));
  const rel = path.relative(dataDir, blobs);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/**
 * Start-up sweep, before the API or worker write anything: with the blob directory to itself
 * every temp file there is an orphan of the previous run (killed mid-upload or mid-output);
 * otherwise only those untouched for the grace period, as in the periodic sweep (a duty).
 */
export async function sweepOrphansAtStart(
  blobs: BlobStore,
  config: DocketConfig,
  storeIsExclusive = !usesPostgres(config),
): Promise<number> {
  if (!blobs.sweepOrphans) return 0;
  const cutoff = ownsBlobDirAlone(config, storeIsExclusive)
    ? Number.POSITIVE_INFINITY
    : Date.now() - tempFileGraceMs(config);
  try {
    return reportOrphans(await blobs.sweepOrphans(cutoff));
  } catch (err) {
    // Leftovers cost disk space, not correctness: never a reason not to start.
    console.error(`docket: orphan temp-file sweep failed: ${(err as Error).message}`);
    return 0;
  }
}
