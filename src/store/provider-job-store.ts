import type { JobKind } from "../domain/job.js";
import type { ProviderJob, ProviderJobState } from "../domain/provider-job.js";
import type { Outcome } from "../domain/record.js";
import type { HeldLease } from "./record-store.js";

/** A provider job as first written, in `packing`, before any record is bound to it. */
export interface NewProviderJob {
  id: string;
  route: string;
  model: string;
  endpoint: string;
  now: number;
}

/** A record bound to a provider job and still waiting for its result there. */
export interface BoundRecord {
  id: number;
  jobId: string;
  attempt: number;
  /** The body text; empty for a body stored in parts (read those with `capabilities.largeBodies`). */
  body: string;
}

/** Batch-priced usage ingested for one Docket job from one provider job. */
export interface ProviderJobUsage {
  jobId: string;
  succeeded: number;
  inputTokens: number;
  outputTokens: number;
}

/** A provider's answer for one record bound to the provider job (its attempt is the bound one). */
export interface ProviderResult {
  recordId: number;
  outcome: Outcome;
}

/** What `writeProviderResults` did with a batch of results. */
export interface ProviderResultsWritten {
  /** Results written (each ended its record's attempt). */
  written: number;
  /** Of those, retries: their records went back to pending (or ended, attempts used up). */
  requeued: number;
  /** Results refused: the record was no longer bound here (pulled back, given back, written before). */
  refused: number;
}

/** A Docket job's share of the provider jobs that ran its records (`GET /v1/batches/{id}/provider_jobs`). */
export interface ProviderJobShare {
  providerJob: ProviderJob;
  /** This Docket job's records sent in it, and of those, the ones that succeeded there. */
  records: number;
  succeeded: number;
  inputTokens: number;
  outputTokens: number;
}

/**
 * Provider jobs (issue 13, docs/provider-batch.md): durable rows whose state names the next
 * external step, and the records bound to them. Records are claimed with the normal
 * `claimRecords` by owner `pj:<id>` and then bound here; a bound record's lease never lapses
 * (the sweeps leave it alone), and its result is written with the normal fenced `recordResults`.
 */
export interface ProviderJobStore {
  createProviderJob(job: NewProviderJob): Promise<void>;
  /**
   * Binds records leased to `pj:<id>` (claimed by that owner) to the provider job, adds them to
   * its counts (records, bytes, estimated tokens) and to its member jobs; returns how many were
   * bound (a record whose attempt moved on in between is not, nor any once the job left `packing`).
   */
  bindProviderJobRecords(
    id: string,
    held: Array<HeldLease & { jobId: string }>,
    sizes: { bytes: number; estimatedTokens: number },
  ): Promise<number>;
  /**
   * Moves the job from `from` to `to` (a compare-and-set: false when it was not in `from`),
   * recording what the step learnt (`providerJobId`, `error`); `submittedAt`/`endedAt` are
   * stamped on entering running / a terminal state.
   */
  moveProviderJob(
    id: string,
    from: ProviderJobState,
    to: ProviderJobState,
    now: number,
    learnt?: { providerJobId?: string; error?: string },
  ): Promise<boolean>;
  getProviderJob(id: string): Promise<ProviderJob | undefined>;
  /** Provider jobs in `states` (all when absent), oldest first, at most `limit`. */
  listProviderJobs(q: {
    states?: readonly ProviderJobState[];
    route?: string;
    limit: number;
  }): Promise<ProviderJob[]>;
  /** Records still bound to the provider job (running, leased to it), in id order after `afterId`. */
  readBoundRecords(id: string, afterId: number, limit: number): Promise<BoundRecord[]>;
  /** How many records are still bound to the provider job. */
  countBound(id: string): Promise<number>;
  /** The bound records among `recordIds`, for fencing ingested results (others are refused). */
  boundAttempts(
    id: string,
    recordIds: number[],
  ): Promise<Array<{ id: number; jobId: string; attempt: number }>>;
  /**
   * Ingest's write (docs/provider-batch.md, "Ingest"): a batch of the provider job's results in
   * one transaction, each fenced by its record being still bound to this provider job, so
   * ingesting again after a crash writes nothing twice (an id twice in `results` is written
   * once); with the Docket jobs' tallies, the provider job's progress and the batch-priced usage
   * of its member jobs. A retry goes back to pending as with `recordResults` (failed when its
   * attempts are used up, cancelled when its job is being cancelled). Bodies are stored as given.
   */
  writeProviderResults(id: string, results: ProviderResult[], now: number): Promise<ProviderResultsWritten>;
  /** Adds ingest progress and the batch-priced usage it brought each member job. */
  addProviderJobProgress(
    id: string,
    progress: { ingested: number; requeued: number; usage: ProviderJobUsage[] },
    now: number,
  ): Promise<void>;
  /** Runnable records (pending, due, job in progress) on a route, counted up to `cap`. */
  countRunnable(route: string, now: number, cap: number): Promise<number>;
  /** In-progress jobs with pending records on a route: how many each, and when each job's window ends. */
  jobsWaitingOn(
    route: string,
    limit: number,
  ): Promise<Array<{ jobId: string; kind: JobKind; pending: number; expiresAt: number | null }>>;
  /** Moves a job's pending records from one route to another (hybrid routing); returns how many. */
  rerouteRecords(jobId: string, fromRoute: string, toRoute: string): Promise<number>;
  /** The Docket jobs a provider job holds (or held) records of. */
  providerJobMembers(id: string): Promise<string[]>;
  /** The provider jobs that ran a Docket job's records, oldest first, with that job's share of each. */
  providerJobsOfJob(jobId: string): Promise<ProviderJobShare[]>;
}
