import { Readable } from "node:stream";
import type { BlobStore } from "../blobs/blob-store.js";
import type { StoredFile } from "../domain/file.js";
import { newId } from "../domain/ids.js";
import { parseSpilledBody } from "../domain/invocation.js";
import type { EndStatus, Store } from "../store/store.js";

/** Where an invocation's result lives in the blob store. */
export const invocationOutputKey = (jobId: string) => `invocations/${jobId}/output`;
export const invocationFailureKey = (jobId: string) => `invocations/${jobId}/failure`;

/**
 * The end of an invocation: its answer becomes the output file (the backend's body, verbatim;
 * a large one is already a blob and is only recorded), anything else becomes the failure file
 * (a JSON error). Safe to repeat after a crash, like finalizeJob: the job stays `finalizing`
 * until completeFinalize, and the blobs are written under fixed keys.
 */
export async function finalizeInvocation(
  store: Store,
  blobs: BlobStore,
  jobId: string,
  endStatus: EndStatus,
  outputRetentionMs: number | null,
): Promise<void> {
  const now = Date.now();
  const expiresAt = outputRetentionMs === null ? null : now + outputRetentionMs;
  const file = (blobKey: string, bytes: number, kind: "output" | "failure"): StoredFile => ({
    id: newId("file-"),
    filename: `${jobId}_${kind}.json`,
    purpose: "batch_output",
    bytes,
    blobKey,
    createdAt: now,
    expiresAt,
  });
  const [record] = await store.readFinished(jobId, -1, 1);
  let outputFile: StoredFile | null = null;
  let errorFile: StoredFile | null = null;
  if (record?.state === "succeeded" && record.response) {
    const spilled = parseSpilledBody(record.response.body);
    if (spilled?.key.startsWith(`invocations/${jobId}/`)) {
      outputFile = file(spilled.key, spilled.bytes, "output");
    } else {
      const key = invocationOutputKey(jobId);
      const { bytes } = await blobs.put(key, Readable.from([Buffer.from(record.response.body)]));
      outputFile = file(key, bytes, "output");
    }
  } else {
    const error = record?.error ?? {
      code: endStatus === "cancelled" ? "cancelled" : "invocation_failed",
      message:
        endStatus === "cancelled" ? "The invocation was cancelled." : "The invocation did not complete.",
    };
    const failure = {
      error,
      backend_status: record?.response?.statusCode ?? null,
      backend_body: record?.response?.body ?? null,
    };
    const key = invocationFailureKey(jobId);
    const { bytes } = await blobs.put(key, Readable.from([Buffer.from(JSON.stringify(failure))]));
    errorFile = file(key, bytes, "failure");
  }
  await store.completeFinalize(jobId, { endStatus, outputFile, errorFile }, Date.now());
}
