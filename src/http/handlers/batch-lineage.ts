import type { IncomingMessage } from "node:http";
import { DocketError, notFound } from "../../domain/errors.js";
import type { Job } from "../../domain/job.js";
import { createRetry, type RetryResult } from "../../lineage/create-retry.js";
import { toMessageBatch, toMessageBatchPage } from "../../views/anthropic-batch.js";
import { toOpenAiBatch } from "../../views/openai-batch.js";
import { toOpenAiList } from "../../views/openai-list.js";
import { budgetPricing, refuseUnpricedBudget } from "../budget-fields.js";
import type { Handler, RequestContext } from "../deps.js";
import { readJson, sendJson } from "../json.js";
import { visible } from "../ownership.js";
import type { PathTable } from "../path-table.js";
import { readLimit, readOptional } from "../query.js";
import { MAX_OVERRIDES, parseRetryRequest } from "./retry-request.js";

/** Children per page: as the batch lists. */
const CHILDREN_DEFAULT = 20;
const CHILDREN_MAX = 100;
/**
 * A retry's body is small unless it names many ids: 100,000 ids of up to 64 characters (Anthropic's
 * limit on both) fit with room to spare.
 */
const MAX_RETRY_BODY_BYTES = 16 * 1024 * 1024 + MAX_OVERRIDES * 64 * 1024;

/**
 * Docket extensions for retry lineage (docs/lineage.md), on both APIs: `POST …/{id}/retry`
 * creates a child batch of the selected records; `GET …/{id}/children` lists a batch's retries.
 * The Anthropic prefix answers in its own shapes (and, through api.ts, its own errors).
 */
export function addBatchLineageHandlers(paths: PathTable<Handler>): void {
  paths
    .add("POST", "/v1/batches/:id/retry", (ctx) => retry(ctx, "openai"))
    .add("GET", "/v1/batches/:id/children", (ctx) => children(ctx, "openai"))
    .add("POST", "/v1/messages/batches/:id/retry", (ctx) => retry(ctx, "anthropic"))
    .add("GET", "/v1/messages/batches/:id/children", (ctx) => children(ctx, "anthropic"));
}

type Api = "openai" | "anthropic";

async function retry(ctx: RequestContext, api: Api): Promise<void> {
  const parent = await findBatch(ctx, api);
  const body = await readJson(ctx.req, MAX_RETRY_BODY_BYTES);
  const plan = parseRetryRequest(body, parent, {
    routes: ctx.deps.async?.routes,
    maxCompletionWindowMs: ctx.deps.config.maxCompletionWindowMs,
    headers: ctx.req.headers,
  });
  const quotas = ctx.deps.quotas;
  await quotas?.checkNewJob(parent.projectId);
  const result = await createRetry(ctx.deps, parent, plan, {
    now: ctx.now(),
    checkInput: async (input, unpriced) => {
      await quotas?.checkStorage(parent.projectId, input.bytes);
      // A budget that could not be enforced is refused, as at creation (budget-fields.ts).
      await refuseUnpricedBudget(unpriced, input, ctx.deps.blobs, budgetPricing(ctx.deps)).catch((err) => {
        throw plan.budget ? err : inheritedBudgetError(err, parent.id);
      });
    },
  });
  // Validation of the new file is the worker's, as for any new batch.
  ctx.deps.events.workAvailable();
  const view = api === "openai" ? toOpenAiBatch(result.job) : toMessageBatch(result.job, originOf(ctx.req));
  sendJson(ctx.res, 200, { ...view, docket_retry: retrySummary(result, plan.scope) });
}

/** The same refusal, saying where the budget comes from (the retry asked for none). */
function inheritedBudgetError(err: unknown, parentId: string): unknown {
  if (!(err instanceof DocketError) || err.code !== "budget_price_unknown") return err;
  return new DocketError(
    err.code,
    `${err.message} The budget is inherited from ${parentId}; a retry may also set its own ` +
      "'docket_budget_usd' and 'docket_price'.",
    400,
    "docket_price",
  );
}

/** Docket extension on the retry's answer: what the selection took, by reason. */
function retrySummary(result: RetryResult, scope: "batch" | "lineage") {
  return { records: result.records, reasons: result.reasons, scope };
}

/** A batch's retries, oldest first; `after` pages on (OpenAI's list, or Anthropic's page). */
async function children(ctx: RequestContext, api: Api): Promise<void> {
  const parent = await findBatch(ctx, api);
  const limit = readLimit(ctx.query, CHILDREN_DEFAULT, CHILDREN_MAX);
  const after = readOptional(ctx.query, api === "openai" ? "after" : "after_id");
  const rows = await ctx.deps.store.listChildJobs(parent.id, {
    limit: limit + 1,
    ...(after ? { after } : {}),
  });
  if (api === "openai") {
    sendJson(ctx.res, 200, toOpenAiList(rows, limit, toOpenAiBatch));
    return;
  }
  sendJson(ctx.res, 200, toMessageBatchPage(rows, limit, originOf(ctx.req), false));
}

async function findBatch(ctx: RequestContext, api: Api): Promise<Job> {
  const id = ctx.params.id!;
  const job = visible(ctx.principal, await ctx.deps.store.getJob(id));
  // As `GET /v1/batches/{id}`, OpenAI's prefix serves every batch; Anthropic's only Message Batches.
  const mine = job?.kind === "batch" && (api === "openai" || job.format === "anthropic");
  if (!job || !mine) throw notFound(api === "openai" ? "batch" : "message batch", id);
  return job;
}

/** Docket's origin as the client reached it, for the absolute `results_url` of a Message Batch. */
function originOf(req: IncomingMessage): string {
  const proto = req.headers["x-forwarded-proto"] === "https" ? "https" : "http";
  return `${proto}://${req.headers.host ?? "127.0.0.1"}`;
}
