import { invalidRequest } from "../domain/errors.js";
import { isTerminalJobStatus, type Job } from "../domain/job.js";

/**
 * A partial-results cursor is an input position: every record before it has ended and was
 * covered by the reads that led to it. Reading starts at 0; each read returns the next one.
 * It is written as a plain decimal integer, and clients treat it as an opaque token.
 */
export const FIRST_CURSOR = 0;
const MAX_CURSOR = 2 ** 31 - 1;

/** Reads a cursor parameter (`after`, `until`): a decimal integer from 0; absent: `fallback`. */
export function parseCursor(raw: string | undefined, param: string, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d{1,10}$/.test(raw) || Number(raw) > MAX_CURSOR) {
    throw invalidRequest(
      `'${param}' must be a cursor from an earlier partial read (a whole number from 0, as Docket-Next-Cursor gave it); got '${raw}'.`,
      param,
    );
  }
  return Number(raw);
}

/**
 * Whether a job's ended records are final lines yet. While validation may still run, its
 * records may be deleted and written again (a retried validation) or the batch may fail as a
 * whole with no output, so nothing is served: not while `validating`, nor while `cancelling` a
 * job that was cancelled before its validation finished. A job that failed has no files at all.
 */
export function linesAreFinal(job: Pick<Job, "status" | "inProgressAt">): boolean {
  switch (job.status) {
    case "validating":
    case "failed":
      return false;
    case "cancelling":
      return job.inProgressAt !== null;
    default:
      return true;
  }
}

/** A partial read has served everything once the job has ended and no record is left after it. */
export function isComplete(job: Pick<Job, "status">, more: boolean): boolean {
  return isTerminalJobStatus(job.status) && !more;
}
