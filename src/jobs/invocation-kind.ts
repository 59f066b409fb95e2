import type { BlobStore } from "../blobs/blob-store.js";
import { writeInvocationResult } from "../invocations/finalize-invocation.js";
import { sendInvocation } from "../invocations/invocation-request.js";
import { finalizeWithFiles } from "../output/finalize-files.js";
import type { Store } from "../store/store.js";
import type { JobKindRunner } from "./job-kind.js";

/**
 * An async invocation: one record whose body points to the payload in the blob store; the end
 * makes the backend's answer (or a failure document) the output file.
 */
export function invocationKind({ store, blobs }: { store: Store; blobs: BlobStore }): JobKindRunner {
  return {
    send: (backend, record, signal) =>
      sendInvocation(backend, blobs, { endpoint: record.endpoint, body: record.body, signal }),
    finalize: (jobId, endStatus, retentionMs) =>
      finalizeWithFiles(
        store,
        jobId,
        endStatus,
        retentionMs,
        writeInvocationResult(store, blobs, jobId, endStatus),
      ),
  };
}
