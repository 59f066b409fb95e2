import type { IncomingMessage } from "node:http";
import { pipeline } from "node:stream/promises";
import { DocketError, notFound } from "../../domain/errors.js";
import { isTerminalJobStatus, type Job, type JobFormat } from "../../domain/job.js";
import { toMessageBatch, toMessageBatchPage } from "../../views/anthropic-batch.js";
import { announceStop, type Handler, type RequestContext } from "../deps.js";
import { sendJson } from "../json.js";
import { listScope, visible } from "../ownership.js";
import type { PathTable } from "../path-table.js";
import { readLimit, readOptional } from "../query.js";
import { createMessageBatch } from "./anthropic-batch-create.js";
import { sendMergedResults } from "./batch-results-merged.js";
import { sendPartialResults } from "./batch-results-partial.js";

/** Anthropic's list limits: 1–1000 per page, 20 by default. */
const LIST_DEFAULT = 20;
const LIST_MAX = 1000;
const ANTHROPIC: readonly JobFormat[] = ["anthropic"];

/**
 * Anthropic's Message Batches API (`/v1/messages/batches`), so the official `@anthropic-ai/sdk`
 * works with `baseURL` pointed at Docket. A Message Batch is a Docket job of format `anthropic`
 * (the same jobs as OpenAI batches underneath: SSE, webhooks, metrics and budgets apply), with an
 * id of Anthropic's look (`msgbatch_…`). Errors on these paths come in Anthropic's shape (api.ts).
 */
export function addAnthropicBatchHandlers(paths: PathTable<Handler>): void {
  paths
    .add("POST", "/v1/messages/batches", createBatch)
    .add("GET", "/v1/messages/batches", listBatches)
    .add("GET", "/v1/messages/batches/:id", retrieveBatch)
    .add("DELETE", "/v1/messages/batches/:id", deleteBatch)
    .add("POST", "/v1/messages/batches/:id/cancel", cancelBatch)
    .add("GET", "/v1/messages/batches/:id/results", batchResults);
}

async function createBatch(ctx: RequestContext): Promise<void> {
  const job = await createMessageBatch(ctx);
  sendJson(ctx.res, 200, toMessageBatch(job, originOf(ctx.req)));
}

async function retrieveBatch(ctx: RequestContext): Promise<void> {
  sendJson(ctx.res, 200, toMessageBatch(await findBatch(ctx), originOf(ctx.req)));
}

/** Newest first; `after_id` pages towards older batches, `before_id` towards newer ones. */
async function listBatches(ctx: RequestContext): Promise<void> {
  const limit = readLimit(ctx.query, LIST_DEFAULT, LIST_MAX);
  const after = readOptional(ctx.query, "after_id");
  const before = readOptional(ctx.query, "before_id");
  if (after && before) {
    throw new DocketError("invalid_request_error", "Send at most one of 'before_id' and 'after_id'.", 400);
  }
  const rows = await ctx.deps.store.listJobs({
    after,
    before,
    limit: limit + 1,
    kind: "batch",
    formats: ANTHROPIC,
    projectId: listScope(ctx),
  });
  sendJson(ctx.res, 200, toMessageBatchPage(rows, limit, originOf(ctx.req), before !== undefined));
}

/**
 * Cancels what has not started: its requests end `canceled`, those in flight may still finish.
 * A batch already canceling, finalizing or ended is returned as it is (the call is idempotent).
 */
async function cancelBatch(ctx: RequestContext): Promise<void> {
  const job = await findBatch(ctx);
  if (job.status !== "validating" && job.status !== "in_progress") {
    sendJson(ctx.res, 200, toMessageBatch(job, originOf(ctx.req)));
    return;
  }
  const cancelled = await ctx.deps.store.cancelJob(job.id, ctx.now());
  if (!cancelled) throw notFound("message batch", job.id);
  // Before answering: a worker in this process drops the records it prefetched ("stop means stop").
  await announceStop(ctx.deps.events, job.id);
  sendJson(ctx.res, 200, toMessageBatch(cancelled, originOf(ctx.req)));
}

/** Only an ended batch can be deleted (as at Anthropic); its records and files go with it. */
async function deleteBatch(ctx: RequestContext): Promise<void> {
  const job = await findBatch(ctx);
  if (!isTerminalJobStatus(job.status)) throw stillRunning(job, "deleted");
  if (!(await ctx.deps.store.deleteJob(job.id))) throw notFound("message batch", job.id);
  for (const fileId of [job.inputFileId, job.outputFileId, job.errorFileId]) {
    if (fileId === null) continue;
    const file = await ctx.deps.store.getFile(fileId);
    if (!file) continue;
    await ctx.deps.store.deleteFile(file.id);
    await ctx.deps.blobs.delete(file.blobKey);
  }
  sendJson(ctx.res, 200, { id: job.id, type: "message_batch_deleted" });
}

/** The results file (JSONL, input order), streamed; the SDK asks for it with `accept: application/binary`. */
async function batchResults(ctx: RequestContext): Promise<void> {
  const job = await findBatch(ctx);
  // Docket extension (docs/lineage.md): the retry lineage's results, latest success per request.
  if (readOptional(ctx.query, "merged") === "true") {
    const partial = readOptional(ctx.query, "partial") === "true";
    return sendMergedResults(ctx, job, { partial, contentType: "application/binary" });
  }
  // Docket extension (docs/partial-results.md): the results so far, with a cursor, at any status.
  if (readOptional(ctx.query, "partial") === "true") {
    return sendPartialResults(ctx, job, { contentType: "application/binary" });
  }
  if (!isTerminalJobStatus(job.status)) throw stillRunning(job, "read for results");
  const file = job.outputFileId ? await ctx.deps.store.getFile(job.outputFileId) : undefined;
  ctx.res.statusCode = 200;
  ctx.res.setHeader("content-type", "application/binary");
  if (!file) {
    // A batch that failed as a whole (never the case for bad params) has no results.
    ctx.res.setHeader("content-length", 0);
    ctx.res.end();
    return;
  }
  const body = await ctx.deps.blobs.get(file.blobKey);
  ctx.res.setHeader("content-length", file.bytes);
  await pipeline(body, ctx.res);
}

async function findBatch(ctx: RequestContext): Promise<Job> {
  const id = ctx.params.id!;
  const job = visible(ctx.principal, await ctx.deps.store.getJob(id));
  // OpenAI batches and invocations are jobs too, but not Message Batches.
  if (job?.kind !== "batch" || job.format !== "anthropic") throw notFound("message batch", id);
  return job;
}

function stillRunning(job: Job, what: string): DocketError {
  return new DocketError(
    "invalid_request_error",
    `Message Batch '${job.id}' is still being processed and cannot be ${what} until it has ended; cancel it first if you do not want to wait.`,
    400,
  );
}

/**
 * Docket's own origin as the client reached it, for absolute `results_url`s (the SDK GETs that URL
 * as it is). Behind a TLS-terminating proxy, `x-forwarded-proto: https` keeps the scheme right.
 */
function originOf(req: IncomingMessage): string {
  const proto = req.headers["x-forwarded-proto"] === "https" ? "https" : "http";
  return `${proto}://${req.headers.host ?? "127.0.0.1"}`;
}
