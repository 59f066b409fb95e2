import { invalidRequest, notFound } from "../../domain/errors.js";
import type { WebhookDelivery } from "../../domain/webhook.js";
import { streamJobEvents } from "../../events/sse/job-event-stream.js";
import { FIRST_CURSOR, parseCursor } from "../../output/partial-cursor.js";
import type { Handler, RequestContext } from "../deps.js";
import { markEventStream } from "../event-streams.js";
import { sendJson } from "../json.js";
import { requireAdmin, visible } from "../ownership.js";
import type { PathTable } from "../path-table.js";
import { readOptional } from "../query.js";
import { asyncDeps, baseUrl, findInvocation } from "./invocations.js";
import { pollInterval } from "./poll-interval.js";
import { webhookDeliveryView } from "./webhook-delivery-view.js";

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
  if (!visible(ctx.principal, await ctx.deps.store.getJob(jobId))) throw notFound("job", jobId);
  // Opt-in `record` events (docs/partial-results.md), from `records_after` (a partial-results cursor).
  const recordsAfter =
    readOptional(ctx.query, "records") === "true"
      ? parseCursor(readOptional(ctx.query, "records_after"), "records_after", FIRST_CURSOR)
      : undefined;
  markEventStream(ctx.res);
  await streamJobEvents(ctx.res, {
    store: ctx.deps.store,
    jobId,
    pollMs: pollInterval(ctx, ctx.deps.async?.eventPollMs ?? DEFAULT_EVENT_POLL_MS),
    base: baseUrl(ctx.req),
    ...(recordsAfter !== undefined && { recordsAfter }),
  });
}

async function deliveries(ctx: RequestContext, jobId: string): Promise<void> {
  if (!visible(ctx.principal, await ctx.deps.store.getJob(jobId))) throw notFound("job", jobId);
  const rows = await ctx.deps.store.listWebhookDeliveries(jobId);
  sendJson(ctx.res, 200, { object: "list", data: rows.map(deliveryView) });
}

/** The dashboard's view with the API's `object` after `id` (the key order the API always had). */
function deliveryView(d: WebhookDelivery) {
  const { id, ...rest } = webhookDeliveryView(d);
  return { id, object: "webhook_delivery", ...rest };
}

/** Admins only: the figures sum every project's work (and name routes and models). */
async function metrics(ctx: RequestContext): Promise<void> {
  requireAdmin(ctx, "GET /metrics");
  const m = asyncDeps(ctx).metrics;
  if (!m) throw notFound("metrics endpoint", "/metrics");
  const text = await m.render();
  ctx.res.statusCode = 200;
  ctx.res.setHeader("content-type", m.contentType);
  ctx.res.setHeader("content-length", Buffer.byteLength(text));
  ctx.res.end(text);
}
