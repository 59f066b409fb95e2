import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { DocketError, invalidRequest } from "../../domain/errors.js";
import type { Job } from "../../domain/job.js";
import { lineageOf, requireEnded } from "../../lineage/lineage.js";
import { MERGED_LINE_SETS, type MergedLineSet, mergedLines } from "../../lineage/merged-lines.js";
import type { RequestContext } from "../deps.js";
import { readOptional } from "../query.js";

/**
 * `GET /v1/batches/{id}/results?merged=true[&lines=all|output|errors]` (and the same on
 * `/v1/messages/batches/{id}/results`): the results of the batch's whole retry lineage, from its
 * root, one line per request in the root's input order: its latest success, else its latest
 * error, each line exactly as in its own batch's result file (docs/lineage.md). Streamed with one
 * cursor per batch, so a lineage of a million requests is never held in memory. Every batch of the
 * lineage must have ended; `partial=true` is not served merged (a retry still running would change
 * lines already sent).
 */
export async function sendMergedResults(
  ctx: RequestContext,
  job: Job,
  o: { partial: boolean; contentType?: string },
): Promise<void> {
  if (o.partial) {
    throw invalidRequest(
      "Merged results are served once every batch of the lineage has ended; read a running batch's " +
        "finished lines with '?partial=true' alone.",
      "partial",
    );
  }
  const which = readLineSet(readOptional(ctx.query, "lines"));
  const lineage = await lineageOf(ctx.deps.store, job);
  requireEnded(lineage, "its merged results can be read");
  ctx.res.statusCode = 200;
  ctx.res.setHeader("content-type", o.contentType ?? "application/jsonl");
  ctx.res.setHeader("docket-lineage-root", lineage.root.id);
  ctx.res.setHeader("docket-lineage-batches", String(lineage.batches.length));
  await pipeline(Readable.from(mergedLines(ctx.deps.store, lineage, which)), ctx.res);
}

function readLineSet(value: string | undefined): MergedLineSet {
  if (value === undefined) return "all";
  const set = MERGED_LINE_SETS.find((s) => s === value);
  if (!set) {
    throw new DocketError(
      "invalid_request_error",
      `'lines' must be one of ${MERGED_LINE_SETS.join(", ")}; got ${JSON.stringify(value)}.`,
      400,
      "lines",
    );
  }
  return set;
}
