import { type SplitCost, splitCost } from "../../budget/batch-savings.js";
import { notFound } from "../../domain/errors.js";
import { findPrice } from "../../prep/prices.js";
import type { ProviderJobShare } from "../../store/store.js";
import type { Handler, RequestContext } from "../deps.js";
import { sendJson } from "../json.js";
import { visible } from "../ownership.js";
import type { PathTable } from "../path-table.js";

/** Docket extension (issue 13): the provider batch jobs that ran a batch's records, and what that saved. */
export function addProviderJobHandlers(paths: PathTable<Handler>): void {
  paths.add("GET", "/v1/batches/:id/provider_jobs", listProviderJobs);
}

async function listProviderJobs(ctx: RequestContext): Promise<void> {
  const id = ctx.params.id!;
  const job = visible(ctx.principal, await ctx.deps.store.getJob(id));
  if (job?.kind !== "batch") throw notFound("batch", id);
  const shares = await ctx.deps.store.providerJobsOfJob(job.id);
  const batch = shares.reduce(
    (s, p) => ({ inputTokens: s.inputTokens + p.inputTokens, outputTokens: s.outputTokens + p.outputTokens }),
    { inputTokens: 0, outputTokens: 0 },
  );
  const price = job.model ? priceOf(ctx, job.model) : null;
  const cost: SplitCost | null = price ? splitCost({ total: job.usage, batch }, price) : null;
  sendJson(ctx.res, 200, {
    object: "list",
    data: shares.map(view),
    usage: {
      on_demand: {
        input_tokens: Math.max(0, job.usage.inputTokens - batch.inputTokens),
        output_tokens: Math.max(0, job.usage.outputTokens - batch.outputTokens),
      },
      batch: { input_tokens: batch.inputTokens, output_tokens: batch.outputTokens },
    },
    cost: cost && {
      on_demand_usd: cost.onDemand.usd,
      batch_usd: cost.batch.usd,
      total_usd: cost.totalUsd,
      saved_usd: cost.savedUsd,
    },
  });
}

/** The route's own price (what this deployment pays) first, then the built-in list price. */
function priceOf(ctx: RequestContext, model: string) {
  const own = ctx.deps.async?.routes.resolve(model)?.price;
  if (own) return own;
  return findPrice(model);
}

function view(s: ProviderJobShare) {
  const p = s.providerJob;
  const secs = (ms: number | null) => (ms === null ? null : Math.floor(ms / 1000));
  return {
    id: p.id,
    object: "provider_job",
    route: p.route,
    model: p.model,
    endpoint: p.endpoint,
    status: p.state,
    provider_job_id: p.providerJobId,
    records: p.records,
    ingested: p.ingested,
    requeued: p.requeued,
    error: p.error,
    created_at: secs(p.createdAt),
    submitted_at: secs(p.submittedAt),
    ended_at: secs(p.endedAt),
    this_batch: {
      records: s.records,
      succeeded: s.succeeded,
      input_tokens: s.inputTokens,
      output_tokens: s.outputTokens,
    },
  };
}
