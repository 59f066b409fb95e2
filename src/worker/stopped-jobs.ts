import type { Job } from "../domain/job.js";
import type { RecordError } from "../domain/record.js";

/**
 * How long a stopped job is remembered. Records of it can still reach the worker from a claim
 * that was already in the store when the stop committed (a round trip), or be learned late by a
 * refresh; minutes cover both with a wide margin, and the set stays small.
 */
const REMEMBER_MS = 10 * 60_000;

/**
 * Jobs this worker must send nothing more for (cancelled, stopped by their budget, expired),
 * with the error their unsent records end with. Checked before every start and on every claim,
 * in memory: no store round trip per record.
 */
export class StoppedJobs {
  private readonly jobs = new Map<string, { error: RecordError | null; until: number }>();

  /** Remembers the stop; false if it was already known. */
  add(jobId: string, error: RecordError | null, now = Date.now()): boolean {
    this.prune(now);
    if (this.jobs.has(jobId)) return false;
    this.jobs.set(jobId, { error, until: now + REMEMBER_MS });
    return true;
  }

  has(jobId: string): boolean {
    return this.jobs.has(jobId);
  }

  /** The error an unsent record of the job ends with (null: a user's cancel, `batch_cancelled`). */
  errorOf(jobId: string): RecordError | null {
    return this.jobs.get(jobId)?.error ?? null;
  }

  private prune(now: number): void {
    for (const [id, s] of this.jobs) if (s.until <= now) this.jobs.delete(id);
  }
}

/**
 * The error for records of `job`, found stopped in the store by a worker that was not told
 * directly (another process cancelled it or stopped it for its budget).
 */
export function stoppedRecordError(job: Job): RecordError | null {
  const code = job.errors?.[0]?.code;
  if (code === "budget_exceeded") return { code, message: "Not run: the job's budget was spent." };
  if (code === "budget_price_unknown")
    return { code, message: "Not run: the job's budget could not be enforced." };
  return null;
}
