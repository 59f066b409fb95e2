import type { StoredFile } from "../domain/file.js";
import { newId } from "../domain/ids.js";
import type { EndStatus, Store } from "../store/store.js";

/** Describes one result file the job kind has written: same creation time and expiry for all. */
export type ResultFile = (f: { blobKey: string; bytes: number; filename: string; id?: string }) => StoredFile;

/** What a job kind's finalize writes: its output file and its error file, either possibly none. */
export interface ResultFiles {
  outputFile: StoredFile | null;
  errorFile: StoredFile | null;
}

/**
 * The frame every job kind's finalize shares: the files' creation time and expiry (now plus the
 * retention, none when null), the kind's own writing, then one store call that records both files
 * and the end status. Safe to repeat after a crash: the job stays `finalizing` until that call,
 * so the kind's writing must be safe to repeat too.
 */
export async function finalizeWithFiles(
  store: Store,
  jobId: string,
  endStatus: EndStatus,
  retentionMs: number | null,
  write: (file: ResultFile, now: number) => Promise<ResultFiles>,
  now = Date.now(),
): Promise<void> {
  const expiresAt = retentionMs === null ? null : now + retentionMs;
  // Result files belong to the job's project, like the job.
  const projectId = (await store.getJob(jobId))?.projectId ?? "default";
  const file: ResultFile = ({ blobKey, bytes, filename, id = newId("file-") }) => ({
    id,
    filename,
    purpose: "batch_output",
    bytes,
    blobKey,
    createdAt: now,
    expiresAt,
    projectId,
  });
  const { outputFile, errorFile } = await write(file, now);
  await store.completeFinalize(jobId, { endStatus, outputFile, errorFile }, Date.now());
}
