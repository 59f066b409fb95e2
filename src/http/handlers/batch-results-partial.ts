import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { invalidRequest } from "../../domain/errors.js";
import type { Job } from "../../domain/job.js";
import { FIRST_CURSOR, parseCursor } from "../../output/partial-cursor.js";
import type { PartialFile } from "../../output/partial-lines.js";
import { readPartial } from "../../output/partial-results.js";
import type { RequestContext } from "../deps.js";
import { readLimit, readOptional } from "../query.js";

/** Records covered per response: 1,000 by default, 10,000 at most (the lines are streamed). */
export const PARTIAL_DEFAULT_LIMIT = 1_000;
export const PARTIAL_MAX_LIMIT = 10_000;

/** The response headers of a partial read (docs/partial-results.md). */
export const PARTIAL_HEADERS = {
  nextCursor: "docket-next-cursor",
  complete: "docket-complete",
  ended: "docket-records-ended",
  total: "docket-records-total",
} as const;

/**
 * `GET /v1/batches/{id}/results?partial=true[&after=<cursor>][&limit=n][&errors=true][&until=<cursor>]`
 * (and the same under `/v1/messages/batches/{id}/results`): the lines of the job's output file
 * (or, with `errors=true`, OpenAI's error file) for the records that have ended right after the
 * cursor, up to the first one still running, streamed as JSONL in input order. The next cursor
 * and whether the job is complete come as headers, before the lines.
 */
export async function sendPartialResults(
  ctx: RequestContext,
  job: Job,
  o: { contentType?: string } = {},
): Promise<void> {
  const file: PartialFile = readOptional(ctx.query, "errors") === "true" ? "errors" : "output";
  const cursor = parseCursor(readOptional(ctx.query, "after"), "after", FIRST_CURSOR);
  const untilRaw = readOptional(ctx.query, "until");
  const until = untilRaw === undefined ? undefined : parseCursor(untilRaw, "until", 0);
  const limit = readLimit(ctx.query, PARTIAL_DEFAULT_LIMIT, PARTIAL_MAX_LIMIT);
  const read = await readPartial(ctx.deps.store, job, {
    cursor,
    limit,
    file,
    ...(until !== undefined && { until }),
  });
  if (!read) {
    throw invalidRequest(
      `A ${job.format} batch has no error file: its failed requests are lines of its one results file, served without 'errors=true'.`,
      "errors",
    );
  }
  const res = ctx.res;
  res.statusCode = 200;
  res.setHeader("content-type", o.contentType ?? "application/jsonl");
  res.setHeader("cache-control", "no-store");
  res.setHeader(PARTIAL_HEADERS.nextCursor, String(read.nextCursor));
  res.setHeader(PARTIAL_HEADERS.complete, String(read.complete));
  const t = job.tally;
  res.setHeader(PARTIAL_HEADERS.ended, String(t.succeeded + t.failed + t.cancelled + t.expired));
  res.setHeader(PARTIAL_HEADERS.total, String(job.counts.total));
  // A failure part-way destroys the response (chunked, so the client sees it cut, never a clean
  // end it could mistake for the whole page) and the client reads again from the same cursor.
  await pipeline(Readable.from(read.lines, { objectMode: false }), res);
}
