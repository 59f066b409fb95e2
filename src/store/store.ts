import type { StoredFile } from "../domain/file.js";
import type { Endpoint, Job, ValidationError } from "../domain/job.js";
import type { AttemptResult, ClaimedRecord, FinishedRecord, NewRecord } from "../domain/record.js";

/**
 * The one seam between Docket and its database. Operation-level: callers never see a
 * connection or a transaction, so the SQLite and PostgreSQL engines are interchangeable and
 * one contract suite (test/store-contract/) runs on both.
 *
 * Times are epoch milliseconds passed in by the caller (`now`), so tests control the clock.
 */
export interface Store {
  readonly dialect: "sqlite" | "postgres";
  close(): Promise<void>;

  // ---- files -------------------------------------------------------------------------
  insertFile(file: StoredFile): Promise<void>;
  getFile(id: string): Promise<StoredFile | undefined>;
  /** Newest first; `after` is the id of the last file of the previous page. */
  listFiles(query: { purpose?: string; after?: string; limit: number }): Promise<StoredFile[]>;
  deleteFile(id: string): Promise<boolean>;

  // ---- jobs --------------------------------------------------------------------------
  insertJob(job: NewJob): Promise<Job>;
  getJob(id: string): Promise<Job | undefined>;
  /** Newest first; `after` is the id of the last job of the previous page. */
  listJobs(query: { after?: string; limit: number }): Promise<Job[]>;

  // ---- validation: turning an input file into records, claimed like any other work ---
  /**
   * Takes one job in `validating` whose validation lease is free (never taken, or its holder
   * died), leases it to `owner`, and deletes records a dead holder may have half-inserted.
   */
  claimValidation(owner: string, leaseMs: number, now: number): Promise<Job | undefined>;
  /** Extends the validation lease; false if it was lost (stop validating). */
  renewValidation(jobId: string, owner: string, leaseUntil: number): Promise<boolean>;
  /** Bulk insert, in chunks the caller chooses; records start `pending`, runnable at once. */
  insertRecords(jobId: string, records: NewRecord[], maxAttempts: number): Promise<void>;
  /**
   * validating → in_progress with `total` records. If the job was cancelled meanwhile its
   * records are cancelled and false is returned; false too if the job left validation otherwise.
   */
  finishValidation(jobId: string, total: number, now: number): Promise<boolean>;
  /** validating → failed with the problems found; deletes any records inserted. */
  failValidation(jobId: string, errors: ValidationError[], now: number): Promise<void>;

  // ---- workers -----------------------------------------------------------------------
  /**
   * Claims up to `limit` runnable records per route (pending, `runAt` ≤ now, job
   * in_progress), in job-then-input order, leasing them to `owner` until now + leaseMs and
   * incrementing each record's attempt (the fencing token).
   */
  claimRecords(request: ClaimRequest): Promise<ClaimedRecord[]>;
  /** Extends leases still held; returns the ids whose lease was lost (abort those calls). */
  renewLeases(owner: string, held: HeldLease[], leaseUntil: number): Promise<number[]>;
  /**
   * Writes outcomes in one transaction. A result whose attempt is not the record's current
   * running attempt is refused (a stale attempt after lease expiry or cancel): exactly once.
   */
  recordResults(results: AttemptResult[], now: number): Promise<{ accepted: number; refused: number[] }>;
  /** Gives leased records back without counting the attempt (graceful shutdown). */
  releaseRecords(owner: string, held: HeldLease[], now: number): Promise<void>;
  /** Earliest `runAt` of a runnable-later record, so an idle worker knows when to look again. */
  nextRunAt(routes: string[]): Promise<number | null>;

  // ---- maintenance -------------------------------------------------------------------
  /**
   * Records whose lease ran out go back to pending (or fail once attempts are exhausted, or
   * become cancelled if their job is cancelling). Returns how many were touched.
   */
  requeueExpiredLeases(now: number): Promise<number>;
  /** in_progress/validating → cancelling; pending records → cancelled. Undefined if unknown. */
  cancelJob(id: string, now: number): Promise<Job | undefined>;
  /**
   * Jobs past `expiresAt` and not yet terminal: their pending and running records become
   * `expired`, the job goes to finalizing with `expired` as its end. Returns their ids.
   */
  expireJobs(now: number): Promise<string[]>;
  /**
   * Jobs with every record terminal (or already finalizing, e.g. after a crash) are moved to
   * `finalizing` and returned with the status they will end in.
   */
  claimFinalizable(now: number): Promise<Array<{ id: string; endStatus: EndStatus }>>;
  /** Finished records of a job in input order, paged by position. */
  readFinished(jobId: string, afterPosition: number, limit: number): Promise<FinishedRecord[]>;
  /** finalizing → its end status, with the output/error files (already in the blob store). */
  completeFinalize(jobId: string, files: FinalFiles, now: number): Promise<void>;
  /**
   * One bounded retention sweep: deletes up to `limit` file rows whose `expiresAt` ≤ now and
   * returns them (the caller deletes their blobs), then up to `limit` terminal jobs, with their
   * records, that ended at least `retainJobsMs` ago and whose output and error files are gone.
   * Call again while it returns anything.
   */
  pruneExpired(
    now: number,
    limit: number,
    retainJobsMs: number,
  ): Promise<{ files: StoredFile[]; jobs: number }>;

  // ---- optional latency hints (polling stays the truth) ----------------------------------
  /**
   * Calls `listener` soon after any process calls `hintWork()` (PostgreSQL LISTEN/NOTIFY), so an
   * idle worker can look for work before its next poll. Returns the unsubscribe function.
   * Engines without a cross-process channel leave it out; hints may be lost or spurious.
   */
  onWorkHint?(listener: () => void): () => void;
  /** Tells every `onWorkHint` listener (in every process) that new work may be runnable. */
  hintWork?(): Promise<void>;
}

export type EndStatus = "completed" | "cancelled" | "expired";

export interface NewJob {
  id: string;
  endpoint: Endpoint;
  inputFileId: string;
  completionWindow: string;
  metadata: Record<string, string> | null;
  createdAt: number;
  expiresAt: number;
}

export interface ClaimRequest {
  owner: string;
  routes: Array<{ route: string; limit: number }>;
  leaseMs: number;
  now: number;
}

export interface HeldLease {
  id: number;
  attempt: number;
}

export interface FinalFiles {
  endStatus: EndStatus;
  outputFile: StoredFile | null;
  errorFile: StoredFile | null;
}
