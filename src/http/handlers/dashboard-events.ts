import type { Job } from "../../domain/job.js";
import { openEventStream } from "../../events/sse/event-stream.js";
import type { RequestContext } from "../deps.js";
import { markEventStream } from "../event-streams.js";
import { toDashboardJob } from "./dashboard-job-view.js";

/** Bounds of the job-list stream (docs/dashboard.md). */
const ACTIVE_MAX = 100;
const NEWEST = 20;
const CHANGED_MAX = 100;
const HEARTBEAT_MS = 15_000;
/** A client that does not read: its unsent bytes pass this and it is dropped. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * `GET /v1/dashboard/events`: one stream of job-list changes. The store is the truth in every
 * process (a job may change in another one), so this looks every `pollMs`: the active jobs, the
 * newest ones and those listed last time but not now (to see them end). Each look costs three
 * small indexed queries, whatever the number of jobs; an event goes out only when something
 * changed, so an idle list sends nothing but heartbeats.
 */
export async function streamJobList(
  ctx: RequestContext,
  pollMs: number,
  /** One project's jobs only (ownership.ts listScope); absent: every project's. */
  projectId: string | undefined,
): Promise<void> {
  const { res } = ctx;
  const store = ctx.deps.store;
  const pricing = ctx.deps.dashboard?.pricing;
  markEventStream(res);
  const stream = openEventStream(res, MAX_BUFFERED_BYTES);
  const { write } = stream;
  const heartbeat = setInterval(() => write(": ping\n\n"), HEARTBEAT_MS);
  heartbeat.unref();

  let seen = new Map<string, string>();
  let first = true;
  try {
    while (!stream.closed) {
      const [active, newest, statusCounts] = await Promise.all([
        store.listActiveJobs(ACTIVE_MAX, projectId),
        store.listJobsFiltered({ limit: NEWEST, projectId }),
        store.countJobsByStatus({ projectId }),
      ]);
      const jobs = new Map<string, Job>();
      for (const j of [...active, ...newest]) jobs.set(j.id, j);
      const listed = new Set(jobs.keys());
      // Jobs listed last time and not now have ended (or fell off the newest): read them once more.
      const gone = [...seen.keys()].filter((id) => !jobs.has(id));
      for (const job of await Promise.all(gone.slice(0, ACTIVE_MAX).map((id) => store.getJob(id)))) {
        if (job) jobs.set(job.id, job);
      }
      const now = ctx.now();
      const next = new Map<string, string>();
      const changed: Job[] = [];
      for (const job of jobs.values()) {
        const print = fingerprint(job);
        if (listed.has(job.id)) next.set(job.id, print);
        if (seen.get(job.id) !== print) changed.push(job);
      }
      seen = next;
      if (first || changed.length > 0) {
        const total = Object.values(statusCounts).reduce((sum, n) => sum + (n ?? 0), 0);
        const data = {
          changed: changed.slice(0, CHANGED_MAX).map((j) => toDashboardJob(j, now, pricing)),
          status_counts: statusCounts,
          total,
        };
        write(`event: jobs\ndata: ${JSON.stringify(data)}\n\n`);
        first = false;
      }
      await stream.sleep(pollMs);
    }
  } finally {
    clearInterval(heartbeat);
    if (!res.writableEnded) res.end();
  }
}

/** What the list shows of a job, as one string: equal prints, nothing to send. */
function fingerprint(j: Job): string {
  const t = j.tally;
  const figures = [
    t.succeeded,
    t.failed,
    t.cancelled,
    t.expired,
    j.counts.total,
    j.usage.inputTokens,
    j.usage.outputTokens,
  ];
  return [j.status, j.model, ...figures].join("|");
}
