import { toSeconds } from "../../domain/duration.js";
import { invalidRequest, notFound } from "../../domain/errors.js";
import type { WebhookDelivery } from "../../domain/webhook.js";
import { streamJobEvents } from "../../events/sse/job-event-stream.js";
import type { Handler, RequestContext } from "../deps.js";
import { markEventStream } from "../event-streams.js";
import { sendJson } from "../json.js";
import type { PathTable } from "../path-table.js";
import { readOptional } from "../query.js";
import { asyncDeps, baseUrl, findInvocation } from "./invocations.js";

const DEFAULT_EVENT_POLL_MS = 500;

/** Server-sent events per job, webhook delivery logs, and Prometheus metrics. */
export function addEventHandlers(paths: PathTable<Handler>): void {
  paths
    .add("GET", "/v1/events", async (ctx) => {
      const job = readOptional(ctx.query, "job");
      if (!job)
        throw invalidRequest("Name the job to follow: /v1/events?job=<batch or invocation id>.", "job");
      await jobEvents(ctx, job);
    })
    .add("GET", "/v1/batches/:id/events", (ctx) => jobEvents(ctx, ctx.params.id!))
    .add("GET", "/v1/async/invocations/:id/events", async (ctx) =>
      jobEvents(ctx, (await findInvocation(ctx)).job.id),
    )
    .add("GET", "/v1/batches/:id/webhook_deliveries", (ctx) => deliveries(ctx, ctx.params.id!))
    .add("GET", "/v1/async/invocations/:id/webhook_deliveries", async (ctx) =>
      deliveries(ctx, (await findInvocation(ctx)).job.id),
    )
    .add("GET", "/metrics", metrics);
}

async function jobEvents(ctx: RequestContext, jobId: string): Promise<void> {
  if (!(await ctx.deps.store.getJob(jobId))) throw notFound("job", jobId);
  markEventStream(ctx.res);
  await streamJobEvents(ctx.res, {
    store: ctx.deps.store,
    jobId,
    pollMs: pollInterval(ctx),
    base: baseUrl(ctx.req),
  });
}

/** `?interval_ms=` (100–10000) lets a UI ask for faster or slower updates. */
function pollInterval(ctx: RequestContext): number {
  const raw = readOptional(ctx.query, "interval_ms");
  if (raw === undefined) return ctx.deps.async?.eventPollMs ?? DEFAULT_EVENT_POLL_MS;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 100 || ms > 10_000) {
    throw invalidRequest(
      `'interval_ms' must be an integer between 100 and 10000; got '${raw}'.`,
      "interval_ms",
    );
  }
  return ms;
}

async function deliveries(ctx: RequestContext, jobId: string): Promise<void> {
  if (!(await ctx.deps.store.getJob(jobId))) throw notFound("job", jobId);
  const rows = await ctx.deps.store.listWebhookDeliveries(jobId);
  sendJson(ctx.res, 200, { object: "list", data: rows.map(deliveryView) });
}

function deliveryView(d: WebhookDelivery) {
  return {
    id: d.id,
    object: "webhook_delivery",
    job_id: d.jobId,
    event: d.event,
    url: d.url,
    state: d.state,
    attempts: d.attempts,
    created_at: toSeconds(d.createdAt),
    next_attempt_at: d.state === "pending" ? toSeconds(d.nextAttemptAt) : null,
    delivered_at: toSeconds(d.deliveredAt),
    log: d.log.map((a) => ({
      at: toSeconds(a.at),
      status: a.status,
      error: a.error,
      duration_ms: a.durationMs,
    })),
  };
}

async function metrics(ctx: RequestContext): Promise<void> {
  const m = asyncDeps(ctx).metrics;
  if (!m) throw notFound("metrics endpoint", "/metrics");
  const text = await m.render();
  ctx.res.statusCode = 200;
  ctx.res.setHeader("content-type", m.contentType);
  ctx.res.setHeader("content-length", Buffer.byteLength(text));
  ctx.res.end(text);
}
