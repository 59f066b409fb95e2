import { invalidRequest, notFound } from "../../domain/errors.js";
import type { Handler, RequestContext } from "../deps.js";
import { visible } from "../ownership.js";
import type { PathTable } from "../path-table.js";
import { readOptional } from "../query.js";
import { sendMergedResults } from "./batch-results-merged.js";
import { sendPartialResults } from "./batch-results-partial.js";

/**
 * Docket extension (issue 14): a batch's results as one stream in input order, without waiting for
 * the output file. `?partial=true`: the finished lines so far, with a cursor to continue (any
 * status). `?merged=true`: across the batch's retry lineage, the latest success per id. The same
 * endpoint under the Anthropic prefix is served by the Message Batches handlers.
 */
export function addBatchResultsHandlers(paths: PathTable<Handler>): void {
  paths.add("GET", "/v1/batches/:id/results", batchResults);
}

async function batchResults(ctx: RequestContext): Promise<void> {
  const id = ctx.params.id!;
  const job = visible(ctx.principal, await ctx.deps.store.getJob(id));
  if (job?.kind !== "batch") throw notFound("batch", id);
  const merged = readOptional(ctx.query, "merged") === "true";
  const partial = readOptional(ctx.query, "partial") === "true";
  if (merged) return sendMergedResults(ctx, job, { partial });
  if (partial) return sendPartialResults(ctx, job);
  throw invalidRequest(
    "Say which results: '?partial=true' (finished lines so far) or '?merged=true' (the lineage).",
  );
}
