import type { ProjectWeights } from "../config/projects-config.js";
import type { AttemptResult, ClaimedRecord } from "../domain/record.js";

/** Records as workers see them: claimed under a lease, renewed, answered, or given back. */
export interface RecordStore {
  /**
   * Claims up to `limit` runnable records per route (pending, `runAt` ≤ now, job
   * in_progress): first a share per project (`fair-shares.ts`: by `projectWeights`, equal by
   * default), split equally between the project's jobs, then what is left in job-then-input
   * order; leasing them to `owner` until now + leaseMs and incrementing each record's attempt
   * (the fencing token).
   */
  claimRecords(request: ClaimRequest): Promise<ClaimedRecord[]>;
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
}

export interface ClaimRequest {
  owner: string;
  /**
   * Per route, how many records to claim; `skipProjects`: projects whose records on the route are
   * not claimed now (their own limit on the route is reached, so other projects' records go on).
   */
  routes: Array<{ route: string; limit: number; skipProjects?: string[] }>;
  leaseMs: number;
  now: number;
  /** Each project's share of a route when several have work; absent: every project weighs 1. */
  projectWeights?: ProjectWeights;
}

export interface HeldLease {
  id: number;
  attempt: number;
}
