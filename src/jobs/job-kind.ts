import type { Backend, BackendResult } from "../backends/backend.js";
import type { JobKind } from "../domain/job.js";
import type { ClaimedRecord } from "../domain/record.js";
import type { EndStatus } from "../store/store.js";

/**
 * What makes one way of running work different from another. The worker claims records and the
 * maintenance duty finalizes jobs without knowing their kind: each asks the kind
 * (`kinds[record.kind]`, `kinds[job.kind]`) to do its part.
 */
export interface JobKindRunner {
  /**
   * Turns one claimed record into its backend request and sends it: a batch record's body as
   * stored, an invocation's payload streamed from the blob store. A failure that is the
   * record's own (its input gone, its TTL passed) comes back as a failed result, not a throw.
   */
  send(backend: Backend, record: ClaimedRecord, signal: AbortSignal): Promise<BackendResult>;
  /**
   * Writes the results of a job whose records are all done and records its end status. Safe to
   * repeat after a crash: the job stays `finalizing` until the store records its end.
   */
  finalize(jobId: string, endStatus: EndStatus, outputRetentionMs: number | null): Promise<void>;
}

/** Every kind has its runner: a kind added to `JobKind` does not compile until it is registered. */
export type JobKinds = Readonly<Record<JobKind, JobKindRunner>>;
