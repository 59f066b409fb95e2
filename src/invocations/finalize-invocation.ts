import { Readable } from "node:stream";
import type { BlobStore } from "../blobs/blob-store.js";
import { parseSpilledBody } from "../domain/invocation.js";
import type { ResultFile, ResultFiles } from "../output/finalize-files.js";
import type { EndStatus, Store } from "../store/store.js";

/** Where an invocation's result lives in the blob store. */
export const invocationOutputKey = (jobId: string) => `invocations/${jobId}/output`;
export const invocationFailureKey = (jobId: string) => `invocations/${jobId}/failure`;

/**
 * The end of an invocation (its kind's part of finalize, inside `finalizeWithFiles`): its answer
 * becomes the output file (the backend's body, verbatim; a large one is already a blob and is only
 * recorded), anything else becomes the failure file (a JSON error). Safe to repeat after a crash,
 * like finalizeJob: the job stays `finalizing` until completeFinalize, and the blobs are written
 * under fixed keys.
 */
export function writeInvocationResult(
  store: Store,
  blobs: BlobStore,
  jobId: string,
  endStatus: EndStatus,
): (file: ResultFile) => Promise<ResultFiles> {
  return async (file) => {
    const put = async (blobKey: string, text: string, kind: "output" | "failure") => {
      const { bytes } = await blobs.put(blobKey, Readable.from([Buffer.from(text)]));
      return file({ blobKey, bytes, filename: `${jobId}_${kind}.json` });
    };
    const [record] = await store.readFinished(jobId, -1, 1);
    if (record?.state === "succeeded" && record.response) {
      const spilled = parseSpilledBody(record.response.body);
      const outputFile = spilled?.key.startsWith(`invocations/${jobId}/`)
        ? file({ blobKey: spilled.key, bytes: spilled.bytes, filename: `${jobId}_output.json` })
        : await put(invocationOutputKey(jobId), record.response.body, "output");
      return { outputFile, errorFile: null };
    }
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
    return {
      outputFile: null,
      errorFile: await put(invocationFailureKey(jobId), JSON.stringify(failure), "failure"),
    };
  };
}
