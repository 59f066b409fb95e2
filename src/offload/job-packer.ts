import type { BatchQuotas } from "../backends/batch-apis/batch-api-client.js";

/**
 * Fills one provider job within every quota at once: records (`maxRecordsPerJob`), input bytes
 * (`maxBytesPerJob`, the encoded lines plus their newlines) and estimated tokens (what is left
 * of `maxEnqueuedTokens` once the route's open provider jobs are counted). Pure: the runner
 * feeds it records one at a time and stops at the first that does not fit (that record goes
 * back to pending for the next job, so input order is kept). A first record larger than the
 * whole token limit is taken only while nothing else is enqueued (it could never fit otherwise);
 * while other provider jobs hold part of the limit it waits like any other.
 */
export class JobPacker {
  records = 0;
  bytes = 0;
  tokens = 0;

  constructor(
    private readonly quotas: Pick<BatchQuotas, "maxRecordsPerJob" | "maxBytesPerJob"> &
      Partial<Pick<BatchQuotas, "maxEnqueuedTokens">>,
    /** Tokens this job may still enqueue; null: no limit. */
    private readonly tokenRoom: number | null,
  ) {}

  /** Whether the job has room for no record at all any more (stop claiming). */
  get full(): boolean {
    return this.records >= this.quotas.maxRecordsPerJob;
  }

  /** Takes the record if it fits; a record alone over the byte limit is `too_big` (it can never fit). */
  offer(lineBytes: number, tokens: number): "taken" | "full" | "too_big" {
    const withNewline = lineBytes + 1;
    if (withNewline > this.quotas.maxBytesPerJob) return "too_big";
    if (this.full) return "full";
    if (this.bytes + withNewline > this.quotas.maxBytesPerJob) return "full";
    if (this.tokenRoom !== null && this.tokens + tokens > this.tokenRoom && !this.aloneOverLimit())
      return "full";
    this.records++;
    this.bytes += withNewline;
    this.tokens += tokens;
    return "taken";
  }

  /** A first record may go over the token room only when that room is the whole, unused limit. */
  private aloneOverLimit(): boolean {
    return this.records === 0 && (this.quotas.maxEnqueuedTokens ?? null) === this.tokenRoom;
  }
}

/**
 * What to do with a packed job smaller than the provider's minimum (Bedrock: 100 records):
 * submit when it meets the minimum; else send the records on-demand when the route has an
 * on-demand partner and the deadline is near, else wait (they go back to pending and join the
 * next job once more records arrive).
 */
export function smallJobDecision(
  records: number,
  minRecordsPerJob: number,
  o: { deadlineNear: boolean; hasOnlineRoute: boolean },
): "submit" | "wait" | "on-demand" {
  if (records >= minRecordsPerJob) return "submit";
  if (o.deadlineNear && o.hasOnlineRoute) return "on-demand";
  return "wait";
}
