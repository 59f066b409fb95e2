import type { BlobStore } from "../blobs/blob-store.js";
import type { DocketConfig } from "../config/config.js";
import type { Duty } from "./duty.js";
import { DutyLoop } from "./duty-loop.js";

const DEFAULT_GRACE_MS = 3_600_000;
const DEFAULT_SWEEP_MS = 600_000;

/** The blob store's own sweep (`BlobStore.sweepOrphans`); S3 uploads leave no temp files, so it has none. */
export type SweepOrphans = (olderThanMs: number) => Promise<number>;

/**
 * A leader duty: temp files untouched for the grace period (default 1 h) are orphans, since
 * live writers touch theirs at least every idle timeout (a minute or two). The first pass runs
 * at once.
 */
export function orphanTempSweepDuty(sweep: SweepOrphans, config: DocketConfig): Duty {
  return {
    name: "orphan temp-file sweep",
    intervalMs: config.retention.tempSweepMs ?? DEFAULT_SWEEP_MS,
    async pass() {
      reportOrphans(await sweep(Date.now() - tempFileGraceMs(config)));
    },
  };
}

/** The sweep on its own loop, outside any duty runner (tests, tools). */
export function startOrphanSweep(blobs: BlobStore, config: DocketConfig): { stop(): Promise<void> } {
  const sweep = blobs.sweepOrphans?.bind(blobs);
  if (!sweep) return { stop: async () => {} };
  const loop = new DutyLoop(orphanTempSweepDuty(sweep, config));
  loop.start();
  return { stop: () => loop.stop() };
}

export function tempFileGraceMs(config: DocketConfig): number {
  return config.retention.tempFileGraceMs ?? DEFAULT_GRACE_MS;
}

export function reportOrphans(removed: number): number {
  if (removed > 0) {
    console.error(`docket: removed ${removed} orphaned temp file(s) left by interrupted uploads or outputs`);
  }
  return removed;
}
