import type { Job, ValidationError } from "../domain/job.js";
import type { NewRecord } from "../domain/record.js";

/** Records that share one attempt budget, as `insertRecords` takes them. */
export interface RecordChunk {
  records: NewRecord[];
  maxAttempts: number;
}

/**
 * The SET list of claimValidation's UPDATE, the same on both engines (SQL reads the old values on
 * the right). The attempt before this claim, by where it died: beyond the farthest one before it,
 * the strikes start again; exactly there (a poison line, or no record stored twice), a strike;
 * short of it (killed from outside while redoing the file), none. Every claim is counted.
 */
export const COUNT_VALIDATION_CLAIM = `validation_claims = validation_claims + 1,
  validation_attempts = CASE
    WHEN validation_progress > validation_progress_best THEN 1
    WHEN validation_progress = validation_progress_best THEN validation_attempts + 1
    ELSE validation_attempts END,
  validation_progress_best = CASE WHEN validation_progress > validation_progress_best
    THEN validation_progress ELSE validation_progress_best END,
  validation_progress = 0`;

/** Validation: turning an input file into records, claimed like any other work. */
export interface ValidationStore {
  /**
   * Takes one job in `validating` whose validation lease is free (never taken, or its holder
   * died), leases it to `owner`, counts the claim (`validationClaims`) and the attempt
   * (`validationAttempts`, so a validation that keeps failing can be ended) and deletes records a
   * dead holder may have half-inserted. The attempt before is a strike only when its `progress`
   * (renewValidation) ended exactly where the farthest earlier attempt's did; beyond it the count
   * starts again at 1 (COUNT_VALIDATION_CLAIM). A file that kills its validator at the same line
   * every time still adds up its strikes; one killed from outside at random places does not.
   * A lease, so SQLite need not fsync it (`SqliteShared.unsyncedWrite`): lost to a power cut, it
   * only means the file is validated again from the start.
   */
  claimValidation(owner: string, leaseMs: number, now: number): Promise<Job | undefined>;
  /**
   * Extends the validation lease; false if it was lost (stop validating). `progress`: input
   * records inserted so far by this attempt (the owner's only; never lowered by it).
   */
  renewValidation(jobId: string, owner: string, leaseUntil: number, progress?: number): Promise<boolean>;
  /** Bulk insert, in chunks the caller chooses; records start `pending`, runnable at once. */
  insertRecords(jobId: string, records: NewRecord[], maxAttempts: number): Promise<void>;
  /**
   * validating → in_progress with `total` records and `model` (OpenAI's batch.model: the first
   * request's body.model). If the job was cancelled meanwhile its records are cancelled and
   * false is returned; false too if the job left validation otherwise. `last`: the file's last
   * records, inserted in the same transaction as the start, so a file that fits one chunk costs
   * one commit, not two, between its submission and its first request (issue 18, pickup).
   */
  finishValidation(
    jobId: string,
    total: number,
    now: number,
    model?: string | null,
    last?: RecordChunk[],
  ): Promise<boolean>;
  /** validating → failed with the problems found; deletes any records inserted. */
  failValidation(jobId: string, errors: ValidationError[], now: number): Promise<void>;
}
