import { toSeconds } from "../../domain/duration.js";
import { invalidRequest, notFound } from "../../domain/errors.js";
import { JOB_FORMATS, type JobFormat, type JobKind, type JobStatus } from "../../domain/job.js";
import type { RouteLiveStats } from "../../events/route-monitor.js";
import type { JobFilter } from "../../store/insight-store.js";
import type { Handler, RequestContext } from "../deps.js";
import { sendJson } from "../json.js";
import { listScope, visible } from "../ownership.js";
import type { PathTable } from "../path-table.js";
import { readLimit, readOptional } from "../query.js";
import { batchSlots } from "./dashboard-batch-slots.js";
import { streamJobList } from "./dashboard-events.js";
import { dashboardJobDetail } from "./dashboard-job-detail.js";
import { toDashboardJob } from "./dashboard-job-view.js";
import { pollInterval } from "./poll-interval.js";
import { webhookDeliveryView } from "./webhook-delivery-view.js";

const JOB_STATUSES = [
  "validating",
  "in_progress",
  "finalizing",
  "completed",
  "failed",
  "expired",
  "cancelling",
  "cancelled",
] as const satisfies readonly JobStatus[];
const JOB_KINDS = ["batch", "invocation"] as const satisfies readonly JobKind[];
const JOBS_DEFAULT = 20;
const JOBS_MAX = 100;
const DELIVERIES_DEFAULT = 50;
const DELIVERIES_MAX = 100;
const EVENTS_POLL_DEFAULT_MS = 1000;

/** The web dashboard's read endpoints (docs/dashboard.md, "Dashboard API"). */
export function addDashboardHandlers(paths: PathTable<Handler>): void {
  paths
    .add("GET", "/v1/dashboard/jobs", listJobs)
    .add("GET", "/v1/dashboard/jobs/:id", getJob)
    .add("GET", "/v1/dashboard/routes", listRoutes)
    .add("GET", "/v1/dashboard/webhooks", listWebhooks)
    .add("GET", "/v1/dashboard/events", (ctx) => streamJobList(ctx, eventInterval(ctx), listScope(ctx)));
}

async function listJobs(ctx: RequestContext): Promise<void> {
  const filter: JobFilter = {
    status: readChoice(ctx.query, "status", JOB_STATUSES),
    model: readOptional(ctx.query, "model"),
    kind: readChoice(ctx.query, "kind", JOB_KINDS),
    format: readChoice(ctx.query, "format", JOB_FORMATS as readonly JobFormat[]),
    projectId: listScope(ctx),
  };
  const limit = readLimit(ctx.query, JOBS_DEFAULT, JOBS_MAX);
  const store = ctx.deps.store;
  const [rows, statusCounts] = await Promise.all([
    store.listJobsFiltered({ ...filter, after: readOptional(ctx.query, "after"), limit: limit + 1 }),
    store.countJobsByStatus({
      model: filter.model,
      kind: filter.kind,
      format: filter.format,
      projectId: filter.projectId,
    }),
  ]);
  const page = rows.slice(0, limit);
  const now = ctx.now();
  const pricing = ctx.deps.dashboard?.pricing;
  sendJson(ctx.res, 200, {
    object: "list",
    // What the app needs to offer a project filter (admins) or not (everyone else).
    viewer: { project_id: ctx.principal.projectId, all_projects: ctx.principal.allProjects },
    data: page.map((j) => toDashboardJob(j, now, pricing)),
    has_more: rows.length > limit,
    first_id: page[0]?.id ?? null,
    last_id: page.at(-1)?.id ?? null,
    status_counts: Object.fromEntries(JOB_STATUSES.map((s) => [s, statusCounts[s] ?? 0])),
    total: JOB_STATUSES.reduce((sum, s) => sum + (statusCounts[s] ?? 0), 0),
  });
}

async function getJob(ctx: RequestContext): Promise<void> {
  const id = ctx.params.id!;
  const job = visible(ctx.principal, await ctx.deps.store.getJob(id));
  if (!job) throw notFound("job", id);
  sendJson(
    ctx.res,
    200,
    await dashboardJobDetail(ctx.deps.store, job, ctx.now(), ctx.deps.dashboard?.pricing),
  );
}

/**
 * Every key sees the routes (the models it may name, their limits: configuration, no secrets);
 * the live figures and the batch slots in use sum every project's traffic, so only an admin key
 * gets them.
 */
async function listRoutes(ctx: RequestContext): Promise<void> {
  const routes = ctx.deps.async?.routes.routes ?? [];
  const now = ctx.now();
  const admin = ctx.principal.allProjects;
  const live = admin ? (ctx.deps.dashboard?.routeStats?.(now) ?? null) : null;
  const liveByName = new Map((live ?? []).map((s) => [s.route, s]));
  const slots = await Promise.all(routes.map((r) => batchSlots(ctx.deps.store, r, admin)));
  sendJson(ctx.res, 200, {
    object: "list",
    worker_stats: live === null ? "none" : "live",
    data: routes.map((r, i) => {
      const stats = liveByName.get(r.name);
      return {
        name: r.name,
        models: r.models,
        backend_type: r.backend.type,
        concurrency: r.concurrency,
        adaptive: r.adaptive ?? false,
        rpm: r.rpm ?? null,
        tpm: r.tpm ?? null,
        batch: slots[i] ?? null,
        live: stats ? liveView(stats) : null,
        history: (stats?.history ?? []).map((h) => ({
          at: toSeconds(h.at),
          in_flight: h.inFlight,
          concurrency: h.concurrency,
          attempts: h.attempts,
          status_429: h.status429,
          status_5xx: h.status5xx,
          paused: h.paused,
        })),
      };
    }),
  });
}

function liveView(s: RouteLiveStats) {
  return {
    in_flight: s.inFlight,
    queued: s.queued,
    current_concurrency: s.concurrency,
    paused_until: s.pausedUntil === null ? null : s.pausedUntil / 1000,
    attempts: {
      total: s.attempts.total,
      ok: s.attempts.ok,
      status_429: s.attempts.status429,
      status_5xx: s.attempts.status5xx,
      other_errors: s.attempts.otherErrors,
    },
    rates_per_s: {
      attempts: s.ratesPerS.attempts,
      status_429: s.ratesPerS.status429,
      status_5xx: s.ratesPerS.status5xx,
    },
  };
}

async function listWebhooks(ctx: RequestContext): Promise<void> {
  const jobId = readOptional(ctx.query, "job");
  if (jobId !== undefined && !visible(ctx.principal, await ctx.deps.store.getJob(jobId)))
    throw notFound("job", jobId);
  const limit = readLimit(ctx.query, DELIVERIES_DEFAULT, DELIVERIES_MAX);
  const rows = await ctx.deps.store.listDeliveries({
    jobId,
    projectId: listScope(ctx),
    after: readOptional(ctx.query, "after"),
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  sendJson(ctx.res, 200, {
    object: "list",
    data: page.map((d) => webhookDeliveryView(d)),
    has_more: rows.length > limit,
    last_id: page.at(-1)?.id ?? null,
  });
}

/** An optional query parameter that must be one of `choices`; anything else is a 400 naming it. */
function readChoice<T extends string>(
  query: URLSearchParams,
  name: string,
  choices: readonly T[],
): T | undefined {
  const value = readOptional(query, name);
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) {
    throw invalidRequest(`'${name}' must be one of ${choices.join(", ")}; got '${value}'.`, name);
  }
  return value as T;
}

function eventInterval(ctx: RequestContext): number {
  return pollInterval(ctx, EVENTS_POLL_DEFAULT_MS);
}
