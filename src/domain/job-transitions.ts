import type { JobStatus } from "./job.js";

/**
 * The job state machine, stated once. The stores persist these moves (their SQL builds its
 * status lists from the constants here); nothing else decides where a job may go.
 *
 *   validating ─finishValidation─▶ in_progress ─every record ended─▶ finalizing ─▶ completed
 *   validating ─failValidation─▶ failed
 *   validating | in_progress ─cancel─▶ cancelling ─no record open, validator gone─▶ finalizing ─▶ cancelled
 *   in_progress ─budget stop─▶ cancelling
 *   validating | in_progress | cancelling ─past its window─▶ finalizing ─▶ expired
 */

/** The status a finalizing job ends in. */
export type EndStatus = "completed" | "cancelled" | "expired";

/** A cancel (or a budget stop, from in_progress only) moves a job from these to `cancelling`. */
export const CANCELLABLE_JOB_STATUSES = ["validating", "in_progress"] as const satisfies readonly JobStatus[];

/** Statuses a budget stop moves to `cancelling` (records still to run: only in progress). */
export const BUDGET_STOPPABLE_JOB_STATUSES = ["in_progress"] as const satisfies readonly JobStatus[];

/** Jobs not yet finalizing or ended: past their window they expire (→ finalizing, end `expired`). */
export const EXPIRABLE_JOB_STATUSES = [
  "validating",
  "in_progress",
  "cancelling",
] as const satisfies readonly JobStatus[];

/**
 * Statuses in which a validation lease is still held: a job cancelled while validating keeps
 * its validator until it stops, and its validation may still fail it.
 */
export const VALIDATION_HELD_JOB_STATUSES = [
  "validating",
  "cancelling",
] as const satisfies readonly JobStatus[];

/** Ended jobs (job.ts's TERMINAL_JOB_STATUSES): nothing moves them again; notified, then pruned. */
export const ENDED_JOB_STATUSES = [
  "completed",
  "failed",
  "expired",
  "cancelled",
] as const satisfies readonly JobStatus[];

/** Whether a cancel moves a job in `status` (to cancelling); otherwise it is left as it is. */
export function canCancel(status: JobStatus): boolean {
  return (CANCELLABLE_JOB_STATUSES as readonly JobStatus[]).includes(status);
}

/** Whether a job in `status` expires once past its window. */
export function canExpire(status: JobStatus): boolean {
  return (EXPIRABLE_JOB_STATUSES as readonly JobStatus[]).includes(status);
}

/** Per-job record counters, as the jobs table keeps them. */
export interface JobCounts {
  total: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  expired: number;
}

/** Every record has an end (an in-progress job with this is ready to finalize). */
export function allRecordsEnded(c: JobCounts): boolean {
  return c.succeeded + c.failed + c.cancelled + c.expired >= c.total;
}

/**
 * Where a job goes when finalize is claimed, and the status it will end in; null if it is not
 * ready. `recordsOpen`: records still pending or running; `validationHeld`: a validator's
 * lease has not run out. A cancelling job ends as its stop recorded (`cancelled`).
 */
export function finalizeMove(
  status: JobStatus,
  counts: JobCounts,
  recordsOpen: boolean,
  validationHeld: boolean,
): EndStatus | null {
  if (status === "in_progress") return allRecordsEnded(counts) ? "completed" : null;
  if (status === "cancelling") return recordsOpen || validationHeld ? null : "cancelled";
  return null;
}
