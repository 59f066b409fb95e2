import { parseDuration } from "../../domain/duration.js";
import { DocketError, invalidRequest, notFound } from "../../domain/errors.js";
import { newId } from "../../domain/ids.js";
import { ENDPOINTS, type Endpoint, type Job } from "../../domain/job.js";
import { bedrockManifest } from "../../output/bedrock-manifest.js";
import { toOpenAiBatch } from "../../views/openai-batch.js";
import { toOpenAiList } from "../../views/openai-list.js";
import { budgetPricing, parseBudgetFields, refuseUnpricedBudget } from "../budget-fields.js";
import { parseDedupOptions } from "../dedup-fields.js";
import { announceStop, type Handler, type RequestContext } from "../deps.js";
import { readJson, sendJson } from "../json.js";
import { listScope, visible } from "../ownership.js";
import type { PathTable } from "../path-table.js";
import { readLimit, readOptional } from "../query.js";
import { parseWebhookUrl } from "../webhook-field.js";
import { parseBedrockBatchFields } from "./bedrock-batch-fields.js";
import { parseExpiresAfter } from "./expires-after.js";

const LIST_DEFAULT = 20;
const LIST_MAX = 100;
/** OpenAI's metadata limits: 16 pairs, keys up to 64 characters, values up to 512. */
const METADATA_MAX_PAIRS = 16;
const METADATA_MAX_KEY = 64;
const METADATA_MAX_VALUE = 512;

export function addBatchHandlers(paths: PathTable<Handler>): void {
  paths
    .add("POST", "/v1/batches", createBatch)
    .add("GET", "/v1/batches", listBatches)
    .add("GET", "/v1/batches/:id", retrieveBatch)
    .add("POST", "/v1/batches/:id/cancel", cancelBatch)
    .add("GET", "/v1/batches/:id/manifest", retrieveManifest);
}

async function createBatch(ctx: RequestContext): Promise<void> {
  const body = await readJson(ctx.req);
  if (!isObject(body)) throw invalidRequest("The request body must be a JSON object.");
  // A Bedrock batch file (Docket extension) names its model on the job; its endpoint follows from it.
  const bedrock = parseBedrockBatchFields(body, ctx.deps.async?.routes);
  const endpoint = bedrock?.endpoint ?? parseEndpoint(body.endpoint);
  const { completionWindow, windowMs } = parseCompletionWindow(
    body.completion_window,
    ctx.deps.config.maxCompletionWindowMs,
  );
  const metadata = parseMetadata(body.metadata);
  const outputExpiresAfterSeconds = parseOutputExpiresAfter(body.output_expires_after);
  const budget = parseBudgetFields(body);
  const dedup = parseDedupOptions(body, ctx.req.headers);
  const inputFileId = body.input_file_id;
  if (typeof inputFileId !== "string" || inputFileId === "") {
    throw invalidRequest("'input_file_id' is required and must be a file id.", "input_file_id");
  }
  // Another project's file is refused exactly as an unknown one.
  const file = visible(ctx.principal, await ctx.deps.store.getFile(inputFileId));
  if (!file)
    throw new DocketError("not_found", `No file found with id '${inputFileId}'.`, 404, "input_file_id");
  if (file.purpose !== "batch") {
    throw invalidRequest(
      `File '${inputFileId}' has purpose '${file.purpose}'; a batch input file must be uploaded with purpose 'batch'.`,
      "input_file_id",
    );
  }
  // A budget that could not be enforced is refused here, not stopped later (issue 17).
  await refuseUnpricedBudget(budget, file, ctx.deps.blobs, budgetPricing(ctx.deps));
  const webhookUrl = await parseWebhookUrl(body.webhook_url, ctx.deps);
  await ctx.deps.quotas?.checkNewJob(ctx.principal.projectId);
  const createdAt = ctx.now();
  const job = await ctx.deps.store.insertJob({
    id: newId("batch_"),
    projectId: ctx.principal.projectId,
    endpoint,
    ...(bedrock ? { format: bedrock.format, model: bedrock.model } : {}),
    inputFileId,
    completionWindow,
    metadata,
    createdAt,
    expiresAt: createdAt + windowMs,
    webhookUrl,
    outputExpiresAfterSeconds,
    ...(dedup ? { dedup } : {}),
  });
  // Right after the insert (budgets are checked on usage, so a record already running is still counted).
  if (budget) await ctx.deps.store.setJobBudget(job.id, budget.budgetUsd, budget.price);
  // Validation of the file's lines is the worker's job: creation stays fast for big files.
  ctx.deps.events.workAvailable();
  sendJson(ctx.res, 200, toOpenAiBatch(job));
}

async function listBatches(ctx: RequestContext): Promise<void> {
  const limit = readLimit(ctx.query, LIST_DEFAULT, LIST_MAX);
  const rows = await ctx.deps.store.listJobs({
    after: readOptional(ctx.query, "after"),
    limit: limit + 1,
    kind: "batch",
    // Message Batches are listed on /v1/messages/batches, in Anthropic's shape.
    formats: ["openai", "bedrock"],
    projectId: listScope(ctx),
  });
  sendJson(ctx.res, 200, toOpenAiList(rows, limit, toOpenAiBatch));
}

async function retrieveBatch(ctx: RequestContext): Promise<void> {
  sendJson(ctx.res, 200, toOpenAiBatch(await findJob(ctx)));
}

/** Docket extension: a Bedrock batch's `manifest.json.out`, from its counters (final once it ends). */
async function retrieveManifest(ctx: RequestContext): Promise<void> {
  const job = await findJob(ctx);
  if (job.format !== "bedrock") {
    throw invalidRequest(
      `Batch '${job.id}' was not created from a Bedrock batch file (input_format "bedrock"); only those have a manifest.`,
    );
  }
  sendJson(ctx.res, 200, bedrockManifest(job));
}

async function cancelBatch(ctx: RequestContext): Promise<void> {
  const job = await findJob(ctx);
  if (job.status === "cancelling" || job.status === "cancelled") {
    sendJson(ctx.res, 200, toOpenAiBatch(job));
    return;
  }
  // Same wording and status as OpenAI; finalizing is past the point where cancelling saves anything.
  if (job.status !== "validating" && job.status !== "in_progress") throw notCancellable(job);
  const cancelled = await ctx.deps.store.cancelJob(job.id, ctx.now());
  if (!cancelled) throw notFound("batch", job.id);
  // Before answering: a worker in this process drops the records it prefetched (issue 17, "stops
  // stop"); workers elsewhere are told by the hint and check at once.
  await announceStop(ctx.deps.events, job.id);
  sendJson(ctx.res, 200, toOpenAiBatch(cancelled));
}

async function findJob(ctx: RequestContext): Promise<Job> {
  const id = ctx.params.id!;
  const job = visible(ctx.principal, await ctx.deps.store.getJob(id));
  // Invocations are jobs too, but they are served under /v1/async/invocations.
  if (job?.kind !== "batch") throw notFound("batch", id);
  return job;
}

function notCancellable(job: Job): DocketError {
  return new DocketError("batch_not_cancellable", `Cannot cancel a batch with status '${job.status}'.`, 400);
}

function parseEndpoint(value: unknown): Endpoint {
  const endpoint = ENDPOINTS.find((e) => e === value);
  if (!endpoint) {
    throw invalidRequest(
      `${JSON.stringify(value ?? null)} is not a supported endpoint. Supported endpoints: ${ENDPOINTS.join(", ")}.`,
      "endpoint",
    );
  }
  return endpoint;
}

/**
 * OpenAI's `24h`, or any duration Docket reads (`90m`, `30s`, `2d`), up to
 * `server.maxCompletionWindowMs` (7 days by default).
 */
function parseCompletionWindow(
  value: unknown,
  maxMs: number,
): { completionWindow: string; windowMs: number } {
  const windowMs = typeof value === "string" ? parseDuration(value) : undefined;
  if (typeof value !== "string" || windowMs === undefined) {
    throw invalidRequest(
      `'completion_window' must be a duration such as '24h', '90m' or '30s'; got ${JSON.stringify(value ?? null)}.`,
      "completion_window",
    );
  }
  if (windowMs > maxMs) {
    throw invalidRequest(
      `'completion_window' may be at most ${formatDuration(maxMs)} on this server (server.maxCompletionWindowMs); ` +
        `got '${value}'.`,
      "completion_window",
    );
  }
  return { completionWindow: value, windowMs };
}

/** Largest whole unit that divides `ms` exactly, in parseDuration's notation (`7d`, `36h`, `90m`). */
function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * OpenAI's `output_expires_after: {anchor: "created_at", seconds}`: the output and error
 * files expire that long after they are written. Absent or null: the server's retention.
 */
function parseOutputExpiresAfter(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) {
    throw invalidRequest(
      `'output_expires_after' must be an object such as {"anchor":"created_at","seconds":86400}.`,
      "output_expires_after",
    );
  }
  return parseExpiresAfter(value.anchor, value.seconds, "output_expires_after");
}

function parseMetadata(value: unknown): Record<string, string> | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value))
    throw invalidRequest("'metadata' must be an object of string keys and values.", "metadata");
  const entries = Object.entries(value);
  if (entries.length > METADATA_MAX_PAIRS) {
    throw invalidRequest(
      `'metadata' may hold at most ${METADATA_MAX_PAIRS} pairs; got ${entries.length}.`,
      "metadata",
    );
  }
  for (const [key, v] of entries) {
    if (typeof v !== "string") throw invalidRequest(`metadata['${key}'] must be a string.`, "metadata");
    if (key.length > METADATA_MAX_KEY || v.length > METADATA_MAX_VALUE) {
      throw invalidRequest(
        `metadata keys are limited to ${METADATA_MAX_KEY} characters and values to ${METADATA_MAX_VALUE}.`,
        "metadata",
      );
    }
  }
  // fromEntries defines own properties, so a `__proto__` key stays plain data.
  return Object.fromEntries(entries) as Record<string, string>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
