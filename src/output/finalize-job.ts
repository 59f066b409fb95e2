import { Readable } from "node:stream";
import type { BlobStore } from "../blobs/blob-store.js";
import type { StoredFile } from "../domain/file.js";
import { newId } from "../domain/ids.js";
import type { FinishedRecord } from "../domain/record.js";
import type { EndStatus, Store } from "../store/store.js";
import { finalizeWithFiles, type ResultFile } from "./finalize-files.js";
import { isSuccess, outputLine } from "./result-lines.js";

const PAGE = 2000;

/**
 * Writes a job's output file (successes) and error file (everything else), each in input
 * order, streamed page by page from the store, then records both and the end status in one
 * store call. Safe to repeat after a crash: the job stays `finalizing` until that call.
 */
export async function finalizeJob(
  store: Store,
  blobs: BlobStore,
  jobId: string,
  endStatus: EndStatus,
  outputRetentionMs: number | null,
): Promise<void> {
  const now = Date.now();
  // A batch's own `output_expires_after` (seconds after the files are written) wins over the
  // configured retention.
  const seconds = (await store.getJob(jobId))?.outputExpiresAfterSeconds ?? null;
  const retentionMs = seconds !== null ? seconds * 1000 : outputRetentionMs;
  await finalizeWithFiles(
    store,
    jobId,
    endStatus,
    retentionMs,
    async (file) => ({
      outputFile: await writeFile(store, blobs, jobId, "output", isSuccess, file),
      errorFile: await writeFile(store, blobs, jobId, "error", (r) => !isSuccess(r), file),
    }),
    now,
  );
}

async function writeFile(
  store: Store,
  blobs: BlobStore,
  jobId: string,
  kind: "output" | "error",
  keep: (r: FinishedRecord) => boolean,
  file: ResultFile,
): Promise<StoredFile | null> {
  let lines = 0;
  async function* source() {
    let after = -1;
    for (;;) {
      const page = await store.readFinished(jobId, after, PAGE);
      if (page.length === 0) return;
      after = page[page.length - 1]!.position;
      let chunk = "";
      for (const r of page) {
        if (!keep(r)) continue;
        chunk += outputLine(r);
        lines++;
      }
      if (chunk) yield chunk;
    }
  }
  const id = newId("file-");
  const blobKey = `outputs/${jobId}/${id}`;
  const { bytes } = await blobs.put(blobKey, Readable.from(source()));
  if (lines === 0) {
    await blobs.delete(blobKey);
    return null;
  }
  return file({ id, blobKey, bytes, filename: `${jobId}_${kind}.jsonl` });
}
