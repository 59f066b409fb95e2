import type { JobStatus } from "./job.js";
import type { RecordState } from "./record.js";

/**
 * The record state machine, stated once (the stores' SQL persists these moves).
 *
 *   pending ──claim──▶ running ──result──▶ succeeded | failed
 *      ▲                  │ └─retry / lease lost─▶ pending (or failed once attempts are used,
 *      └──────release─────┘                        or cancelled if its job is cancelling)
 *   cancel: pending ▶ cancelled;  expiry: pending | running | following ▶ expired
 *   following ──its leader ends──▶ the leader's end state and answer (docs/dedup-and-cache.md)
 */

/**
 * Records not yet ended: expiry ends them `expired`, a drained cancelling job has none. A
 * follower is open until its leader's answer is handed on, so a job never ends before it is.
 */
export const OPEN_RECORD_STATES = [
  "pending",
  "running",
  "following",
] as const satisfies readonly RecordState[];

/** Records a cancel or budget stop ends at once (those running may still finish). */
export const CANCELLABLE_RECORD_STATES = ["pending"] as const satisfies readonly RecordState[];

/** Ended records: they count on their job and appear in its output or error file. */
export const ENDED_RECORD_STATES = [
  "succeeded",
  "failed",
  "cancelled",
  "expired",
] as const satisfies readonly RecordState[];

/** Attempts used up: a claim counts `attempt`, a graceful release gives one back (`released`). */
export function attemptsExhausted(r: { attempt: number; released: number; maxAttempts: number }): boolean {
  return r.attempt - r.released >= r.maxAttempts;
}

/**
 * Where a running record goes when it will not finish now: its lease ran out, or its attempt
 * asked for a retry. A cancelling job's record ends cancelled (back to pending it would keep
 * the job cancelling until its window expired); one whose attempts are used fails.
 */
export function notFinishedNext(
  jobStatus: JobStatus,
  r: { attempt: number; released: number; maxAttempts: number },
): "cancelled" | "failed" | "pending" {
  if (jobStatus === "cancelling") return "cancelled";
  return attemptsExhausted(r) ? "failed" : "pending";
}

/** Where a record given back by its worker (never sent) goes: nothing claims a cancelling job's. */
export function releasedNext(jobStatus: JobStatus): "cancelled" | "pending" {
  return jobStatus === "cancelling" ? "cancelled" : "pending";
}
