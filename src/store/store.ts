import type { BudgetStop, JobPrice } from "../budget/budget-stop.js";
import type { StoredFile } from "../domain/file.js";
import type { Invocation, NewInvocation } from "../domain/invocation.js";
import type { Endpoint, Job, JobKind, ValidationError } from "../domain/job.js";
import type { AttemptResult, ClaimedRecord, FinishedRecord, NewRecord } from "../domain/record.js";
import type { DeliveryResult, NewWebhookDelivery, WebhookDelivery } from "../domain/webhook.js";

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
  /** Newest first (`order: "asc"`: oldest first); `after` is the id of the last file of the previous page. */
  listFiles(query: {
    purpose?: string;
    after?: string;
    limit: number;
    order?: "asc" | "desc";
  }): Promise<StoredFile[]>;
  deleteFile(id: string): Promise<boolean>;

  // ---- jobs --------------------------------------------------------------------------
  insertJob(job: NewJob): Promise<Job>;
  getJob(id: string): Promise<Job | undefined>;
  /** Newest first; `after` is the id of the last job of the previous page. */
  listJobs(query: { after?: string; limit: number; kind?: JobKind }): Promise<Job[]>;

  // ---- validation: turning an input file into records, claimed like any other work ---
  /**
   * Takes one job in `validating` whose validation lease is free (never taken, or its holder
   * died), leases it to `owner`, counts the attempt (`validationAttempts`, so a validation that
   * keeps failing can be ended) and deletes records a dead holder may have half-inserted.
   */
  claimValidation(owner: string, leaseMs: number, now: number): Promise<Job | undefined>;
  /** Extends the validation lease; false if it was lost (stop validating). */
  renewValidation(jobId: string, owner: string, leaseUntil: number): Promise<boolean>;
  /** Bulk insert, in chunks the caller chooses; records start `pending`, runnable at once. */
  insertRecords(jobId: string, records: NewRecord[], maxAttempts: number): Promise<void>;
  /**
   * validating → in_progress with `total` records and `model` (OpenAI's batch.model: the first
   * request's body.model). If the job was cancelled meanwhile its records are cancelled and
   * false is returned; false too if the job left validation otherwise.
   */
  finishValidation(jobId: string, total: number, now: number, model?: string | null): Promise<boolean>;
  /** validating → failed with the problems found; deletes any records inserted. */
  failValidation(jobId: string, errors: ValidationError[], now: number): Promise<void>;

  // ---- workers -----------------------------------------------------------------------
  /**
   * Claims up to `limit` runnable records per route (pending, `runAt` ≤ now, job
   * in_progress), in job-then-input order, leasing them to `owner` until now + leaseMs and
   * incrementing each record's attempt (the fencing token).
   */
  claimRecords(request: ClaimRequest): Promise<ClaimedRecord[]>;
  /**
   * Part `part` (0-based) of a claimed record's body stored in parts (`ClaimedRecord.bodyParts`),
   * as UTF-8 bytes; null if there is none. Only engines that store bodies in parts have it.
   */
  readBodyPart?(recordId: number, part: number): Promise<Buffer | null>;
  /** Extends leases still held; returns the ids whose lease was lost (abort those calls). */
  renewLeases(owner: string, held: HeldLease[], leaseUntil: number): Promise<number[]>;
  /**
   * Writes outcomes in one transaction. A result whose attempt is not the record's current
   * running attempt is refused (a stale attempt after lease expiry or cancel): exactly once.
   */
  recordResults(results: AttemptResult[], now: number): Promise<{ accepted: number; refused: number[] }>;
  /**
   * Gives leased records back without counting the attempt (graceful shutdown, or records
   * claimed but never sent). A record whose job is `cancelling` (a cancel or a budget stop) is
   * not given back but ends `cancelled` at once, counted on its job, with `stopError` as its
   * error (null: a user's cancel; the error file then says `batch_cancelled`).
   */
  releaseRecords(
    owner: string,
    held: HeldLease[],
    now: number,
    stopError?: { code: string; message: string } | null,
  ): Promise<void>;
  /** Earliest `runAt` of a runnable-later record, so an idle worker knows when to look again. */
  nextRunAt(routes: string[]): Promise<number | null>;

  // ---- maintenance -------------------------------------------------------------------
  /**
   * Records whose lease ran out go back to pending (or fail once attempts are exhausted, or
   * become cancelled if their job is cancelling). Returns how many were touched.
   */
  requeueExpiredLeases(now: number): Promise<number>;
  /**
   * Ends every lease (records and validations) as of `now`, so the next sweep and claims take
   * them over at once. Only for a process that knows it is alone on the database — embedded
   * `docket serve` at start-up, whose data-dir lock proves the previous holder is dead — so
   * recovery after a crash costs no lease wait.
   */
  expireAllLeases(now: number): Promise<void>;
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

  // ---- coordination between processes sharing the database ------------------------------
  /**
   * Takes or renews the lead of duty `name` (e.g. "maintenance") for `owner` until now +
   * leaseMs, in one atomic statement: true if `owner` now leads (it already did, the lead was
   * free, or the previous leader's lease ran out), false if another process holds it.
   */
  tryLead(name: string, owner: string, leaseMs: number, now: number): Promise<boolean>;
  /** Gives the lead up at once (graceful shutdown), so another process takes it without waiting. */
  resignLead(name: string, owner: string): Promise<void>;
  /**
   * Records that worker process `owner` (serving `routes`) is alive at `now`. Rows silent for
   * over an hour are removed on the way, so crashed processes do not pile up.
   */
  heartbeatWorker(owner: string, routes: string[], now: number): Promise<void>;
  /** Worker processes whose last heartbeat is within `staleMs` of now (at least the caller's). */
  liveWorkers(now: number, staleMs: number): Promise<number>;
  /** Removes a worker process from the registry (graceful shutdown). */
  forgetWorker(owner: string): Promise<void>;

  // ---- budgets (docs/data-preparation.md, "Budget guard") ------------------------------------
  /**
   * Gives a job a maximum spend in USD, and the price its usage is charged at when the caller
   * knows it (null: maintenance resolves it from the model of the job's first record).
   */
  setJobBudget(jobId: string, budgetUsd: number, price: JobPrice | null): Promise<void>;
  /** In-progress jobs that have a budget, with their price (if known yet) and usage so far. */
  listBudgetedJobs(): Promise<BudgetedJob[]>;
  /** Records the price a budgeted job is charged at, once resolved. */
  setJobPrice(jobId: string, price: JobPrice): Promise<void>;
  /**
   * in_progress → cancelling because of its budget, if records are still pending: they become
   * `cancelled` with the stop's code (the error file says why), the job's `errors` says what was
   * spent, and records in flight may still finish. `unsent`: records the caller (a worker,
   * `owner`) claimed but never sent; they are cancelled in the same transaction and counted
   * among those not run. Undefined if the job was not stopped (nothing left to stop, or it was
   * no longer in progress); the caller then gives `unsent` back with releaseRecords.
   */
  stopForBudget(
    jobId: string,
    stop: BudgetStop,
    now: number,
    unsent?: { owner: string; held: HeldLease[] },
  ): Promise<Job | undefined>;

  // ---- async invocations (src/invocations, migration 0003) -------------------------------
  /**
   * Creates an invocation job (in_progress, priority above batches, one pending record) in one
   * transaction. If `inferenceId` is already taken, nothing is written and the existing
   * invocation is returned with `created: false` (the caller's id is an idempotency key).
   */
  insertInvocation(invocation: NewInvocation): Promise<{ invocation: Invocation; created: boolean }>;
  /** By job id, or else by the caller's inference id. */
  getInvocation(idOrInferenceId: string): Promise<Invocation | undefined>;
  /**
   * Invocations waiting in the store (pending: not started, or waiting for a retry) once `now`
   * ≥ their TTL: the record
   * becomes `expired` with code `request_ttl_expired` and the job goes to finalizing with end
   * `expired`. Returns their ids.
   */
  expireInvocations(now: number): Promise<string[]>;

  // ---- webhooks (src/events/webhooks, migration 0003) ------------------------------------
  /** Ended jobs whose end event has not been considered yet, oldest first. */
  jobsToNotify(limit: number): Promise<Job[]>;
  /**
   * Marks the job's end event as considered and, when one is due, writes its delivery, in one
   * transaction; a second call for the same (job, event) writes nothing (idempotent).
   */
  enqueueWebhook(jobId: string, delivery: NewWebhookDelivery | null): Promise<void>;
  /**
   * Leases up to `limit` pending deliveries due at `now` by pushing their next attempt to
   * now + leaseMs (a dead sender's deliveries come back after that), oldest due first.
   */
  claimWebhookDeliveries(now: number, leaseMs: number, limit: number): Promise<WebhookDelivery[]>;
  /** Records an attempt's result: delivered, retry at a later time, or given up (failed). */
  recordWebhookAttempt(deliveryId: string, result: DeliveryResult): Promise<void>;
  /** A job's deliveries, oldest first, each with its attempt log. */
  listWebhookDeliveries(jobId: string): Promise<WebhookDelivery[]>;

  // ---- metrics (src/events/metrics.ts) ---------------------------------------------------
  /**
   * Work waiting and running, per route and job kind, with when the oldest waiting item
   * became runnable: what autoscalers and `/metrics` read. Reads only the partial indexes of
   * pending and running records.
   */
  backlogStats(now: number): Promise<BacklogStat[]>;

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

/** A job whose spending is capped, as maintenance checks it. */
export interface BudgetedJob {
  id: string;
  budgetUsd: number;
  price: JobPrice | null;
  /** The first record's request body, present only while `price` is null (to find its model). */
  firstBody: string | null;
  usage: { inputTokens: number; outputTokens: number };
}

export interface NewJob {
  id: string;
  endpoint: Endpoint;
  inputFileId: string;
  completionWindow: string;
  metadata: Record<string, string> | null;
  createdAt: number;
  expiresAt: number;
  /** Where the job's end event goes (webhooks); absent: config defaults. */
  webhookUrl?: string | null;
  /** OpenAI's `output_expires_after.seconds` (anchor created_at); absent/null: config retention. */
  outputExpiresAfterSeconds?: number | null;
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

export interface BacklogStat {
  route: string;
  kind: JobKind;
  /** Records pending (runnable now or waiting for a retry) in in-progress jobs. */
  waiting: number;
  running: number;
  /** When the oldest waiting record's job started running (epoch ms); null if none waits. */
  oldestWaitingSince: number | null;
}
