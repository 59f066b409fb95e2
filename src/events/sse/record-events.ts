import type { Job } from "../../domain/job.js";
import { linesAreFinal } from "../../output/partial-cursor.js";
import type { PartialResultStore } from "../../store/store.js";

/** Records read per store call; a poll reads at most MAX_WINDOWS of them before it yields. */
const WINDOW = 10_000;
const MAX_WINDOWS = 10;

/** A `record` event: the ended prefix moved from `previous_cursor` to `cursor`. */
export interface RecordEvent {
  object: "batch.records";
  /** Every record before it has ended: `GET /v1/batches/{id}/results?partial=true&after=<previous_cursor>` serves them. */
  cursor: string;
  previous_cursor: string;
  /** Records the prefix grew by. */
  records: number;
  /** The job has ended and every record is in the prefix: no `record` event follows. */
  complete: boolean;
}

/**
 * Follows how far a batch's records have ended without a gap, for the SSE stream's opt-in
 * `record` events (`?records=true`; docs/partial-results.md): each poll reads on from the last
 * cursor (never from the start), at most MAX_WINDOWS × WINDOW records, so a poll stays bounded
 * however large the job; a job that has ended is read to its end before its `end` event.
 */
export class RecordEventSource {
  private done = false;

  constructor(
    private readonly store: Pick<PartialResultStore, "endedRun">,
    private cursor: number,
    private readonly bounds = { window: WINDOW, maxWindows: MAX_WINDOWS },
  ) {}

  get complete(): boolean {
    return this.done;
  }

  /** The prefix's advance since the last call, or null when it did not move. */
  async advance(
    job: Pick<Job, "id" | "status" | "inProgressAt">,
    ended: boolean,
  ): Promise<RecordEvent | null> {
    if (this.done) return null;
    if (!linesAreFinal(job)) {
      // A failed batch has no records to follow; one still validating may have them rewritten.
      if (job.status === "failed") return this.event(this.cursor, 0, true);
      return null;
    }
    const from = this.cursor;
    let records = 0;
    let more = true;
    // An ended job is read to its end: its `end` event must come after its last `record` event.
    const { window, maxWindows } = this.bounds;
    for (let windows = 0; more && (ended || windows < maxWindows); windows++) {
      const run = await this.store.endedRun(job.id, this.cursor - 1, window);
      if (run.lastPosition !== null) this.cursor = run.lastPosition + 1;
      records += run.ended;
      more = run.more;
      if (run.ended < window) break;
    }
    const complete = ended && !more;
    if (records === 0 && !complete) return null;
    return this.event(from, records, complete);
  }

  private event(from: number, records: number, complete: boolean): RecordEvent {
    this.done = complete;
    return {
      object: "batch.records",
      cursor: String(this.cursor),
      previous_cursor: String(from),
      records,
      complete,
    };
  }
}
