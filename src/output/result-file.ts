import { Readable } from "node:stream";
import type { BlobStore } from "../blobs/blob-store.js";
import type { StoredFile } from "../domain/file.js";
import { newId } from "../domain/ids.js";
import type { FinishedRecord } from "../domain/record.js";
import type { Store } from "../store/store.js";
import type { ResultFile } from "./finalize-files.js";

const PAGE = 2000;

/** One result file of a job: which finished records it holds, and how each becomes a line. */
export interface ResultFileSpec {
  filename: string;
  keep: (r: FinishedRecord) => boolean;
  /** The record's line, newline included. */
  line: (r: FinishedRecord) => string;
}

/**
 * Writes one result file of a job in input order, streamed page by page from the store, and
 * describes it; null (and nothing kept) when no record belongs in it. Safe to repeat: a crashed
 * finalize writes a new file under a new id, and the job records only the last one written.
 */
export async function writeResultFile(
  store: Pick<Store, "readFinished">,
  blobs: BlobStore,
  jobId: string,
  spec: ResultFileSpec,
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
        if (!spec.keep(r)) continue;
        chunk += spec.line(r);
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
  return file({ id, blobKey, bytes, filename: spec.filename });
}
