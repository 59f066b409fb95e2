import type { BlobStore } from "../blobs/blob-store.js";
import { finalizeJob } from "../output/finalize-job.js";
import type { RouteTable } from "../routing/route-table.js";
import type { Store } from "../store/store.js";
import { sendBatchRecord } from "./batch-request.js";
import type { JobKindRunner } from "./job-kind.js";

/** A batch (`POST /v1/batches`): records are lines of the input file; the end writes output and error JSONL files. */
export function batchKind({
  store,
  blobs,
  routes,
}: {
  store: Store;
  blobs: BlobStore;
  routes?: RouteTable;
}): JobKindRunner {
  return {
    // The route tells whether the record's endpoint needs bridging to its backend's dialect.
    send: (backend, record, signal) =>
      sendBatchRecord(backend, record, signal, store, routes?.byName(record.route)),
    finalize: (jobId, endStatus, retentionMs) => finalizeJob(store, blobs, jobId, endStatus, retentionMs),
  };
}
