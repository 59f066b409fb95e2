import type { Job } from "../domain/job.js";
import { ENDED_RECORD_STATES } from "../domain/record-transitions.js";
import type { Store } from "../store/store.js";
import { isComplete, linesAreFinal } from "./partial-cursor.js";
import { FILE_LINES, type FileLines, linesOf, needsBodies, type PartialFile } from "./partial-lines.js";

/** Records read per store page; fewer when each brings its body (as the Bedrock writer does). */
const PAGE = 500;
const PAGE_WITH_BODIES = 64;
const ENDED: ReadonlySet<string> = new Set(ENDED_RECORD_STATES);

export interface PartialReadRequest {
  /** Where to start (a cursor from an earlier read; 0 for the start). */
  cursor: number;
  /** At most this many records are covered (lines served ≤ this). */
  limit: number;
  file: PartialFile;
  /** Cover no record at or after this position (so two files can be read up to one cursor). */
  until?: number;
}

export interface PartialRead {
  /** The cursor after this read: every record before it has ended and is covered. */
  nextCursor: number;
  /** Records this read covers (some may have no line in this file). */
  covered: number;
  /** The job has ended and every record up to the bound is covered: nothing will follow. */
  complete: boolean;
  /** The lines of the covered records, in input order, streamed from the store. */
  lines: AsyncIterable<string | Buffer>;
}

/**
 * The lines of `file` for the records that have ended right after `cursor`, up to the first
 * record still open (docs/partial-results.md). An ended record never changes, so each line is
 * the one the final file will hold, and the reads, one after another from each next cursor,
 * concatenate to that file byte for byte. Null when the job's format has no such file.
 */
export async function readPartial(
  store: Pick<Store, "endedRun" | "readFinished" | "capabilities">,
  job: Pick<Job, "id" | "format" | "status" | "inProgressAt">,
  request: PartialReadRequest,
): Promise<PartialRead | null> {
  const lines = FILE_LINES[job.format][request.file];
  if (!lines) return null;
  const { cursor } = request;
  if (!linesAreFinal(job)) {
    // A failed batch never has lines: it is complete with none.
    return { nextCursor: cursor, covered: 0, complete: job.status === "failed", lines: none() };
  }
  const run = await store.endedRun(job.id, cursor - 1, request.limit, request.until);
  return {
    nextCursor: run.lastPosition === null ? cursor : run.lastPosition + 1,
    covered: run.ended,
    complete: isComplete(job, run.more),
    lines: coveredLines(store, job.id, cursor, run.ended, lines),
  };
}

/** Streams the lines of the `count` records from `cursor` on, page by page. */
async function* coveredLines(
  store: Pick<Store, "readFinished" | "capabilities">,
  jobId: string,
  cursor: number,
  count: number,
  lines: FileLines,
): AsyncGenerator<string | Buffer> {
  const bodies = needsBodies(lines);
  const page = bodies ? PAGE_WITH_BODIES : PAGE;
  let after = cursor - 1;
  let left = count;
  while (left > 0) {
    const records = await store.readFinished(jobId, after, Math.min(page, left), { bodies });
    // The run was ended when it was measured and ended records never change, so fewer records,
    // or an open one, mean the job was deleted meanwhile: fail rather than end short, so the
    // response is cut and the client does not move past lines it never got.
    if (records.length === 0) throw new Error(`job ${jobId}'s records are gone`);
    for (const r of records) {
      if (!ENDED.has(r.state)) throw new Error(`record ${r.id} of job ${jobId} is ${r.state}, not ended`);
    }
    left -= records.length;
    after = records[records.length - 1]!.position;
    yield* linesOf(records, lines, store.capabilities.largeBodies);
  }
}

async function* none(): AsyncGenerator<string> {}
