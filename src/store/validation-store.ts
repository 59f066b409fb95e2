import type { Job, ValidationError } from "../domain/job.js";
import type { NewRecord } from "../domain/record.js";

/** Records that share one attempt budget, as `insertRecords` takes them. */
export interface RecordChunk {
  records: NewRecord[];
  maxAttempts: number;
}

/** Validation: turning an input file into records, claimed like any other work. */
export interface ValidationStore {
  /**
   * Takes one job in `validating` whose validation lease is free (never taken, or its holder
   * died), leases it to `owner`, counts the attempt (`validationAttempts`, so a validation that
   * keeps failing can be ended) and deletes records a dead holder may have half-inserted.
   * A lease, so SQLite need not fsync it (`SqliteShared.leaseWrite`): lost to a power cut, it
   * only means the file is validated again from the start.
   */
  claimValidation(owner: string, leaseMs: number, now: number): Promise<Job | undefined>;
  /** Extends the validation lease; false if it was lost (stop validating). */
  renewValidation(jobId: string, owner: string, leaseUntil: number): Promise<boolean>;
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
