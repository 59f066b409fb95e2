import type { ServerResponse } from "node:http";
import { isTerminalJobStatus, type Job } from "../../domain/job.js";
import { toOpenAiBatch } from "../../http/serializers/openai-batch.js";
import { toInvocationView } from "../../invocations/invocation-view.js";
import type { Store } from "../../store/store.js";

export interface JobEventStreamOptions {
  store: Store;
  jobId: string;
  /** How often the job is re-read; the store is the truth in every process, so this is a poll. */
  pollMs: number;
  /** Makes URLs in invocation snapshots absolute. */
  base: string;
  /** Comment lines sent this often keep proxies from closing an idle stream. */
  heartbeatMs?: number;
}

/** Throughput is measured over this trailing window. */
const RATE_WINDOW_MS = 5_000;

/**
 * Server-sent events for one job (`text/event-stream`): a `status` event at once and whenever
 * the status changes, `progress` whenever its counts move (with the rate over the last seconds),
 * and `end` with the final snapshot, after which the stream closes. Each event's data is the
 * job as the API shows it (a batch object, or an async_invocation), plus `rate_per_second`.
 */
export async function streamJobEvents(res: ServerResponse, o: JobEventStreamOptions): Promise<void> {
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  res.write("retry: 2000\n\n");
  let closed = false;
  let wake: (() => void) | null = null;
  res.on("close", () => {
    closed = true;
    wake?.();
  });
  const heartbeat = setInterval(() => res.write(": ping\n\n"), o.heartbeatMs ?? 15_000);
  heartbeat.unref();

  let seq = 0;
  let lastStatus: string | null = null;
  let lastCounts: string | null = null;
  const samples: Array<{ at: number; done: number }> = [];
  const send = (event: string, data: unknown) => {
    res.write(`id: ${++seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  try {
    while (!closed) {
      const snapshot = await snapshotOf(o.store, o.jobId, o.base);
      if (!snapshot) {
        send("error", { code: "not_found", message: `Job ${o.jobId} no longer exists.` });
        break;
      }
      const { job, data } = snapshot;
      const now = Date.now();
      const done = job.counts.completed + job.counts.failed;
      samples.push({ at: now, done });
      while (samples.length > 1 && now - samples[0]!.at > RATE_WINDOW_MS) samples.shift();
      const first = samples[0]!;
      const rate = now > first.at ? ((done - first.done) * 1000) / (now - first.at) : 0;
      const payload = { ...data, kind: job.kind, rate_per_second: Math.round(rate * 100) / 100 };
      const counts = JSON.stringify(job.counts);
      if (job.status !== lastStatus) send("status", payload);
      else if (counts !== lastCounts) send("progress", payload);
      lastStatus = job.status;
      lastCounts = counts;
      if (isTerminalJobStatus(job.status)) {
        send("end", payload);
        break;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, o.pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  } finally {
    clearInterval(heartbeat);
    if (!res.writableEnded) res.end();
  }
}

async function snapshotOf(
  store: Store,
  jobId: string,
  base: string,
): Promise<{ job: Job; data: object } | undefined> {
  const job = await store.getJob(jobId);
  if (!job) return undefined;
  if (job.kind === "batch") return { job, data: toOpenAiBatch(job) };
  const inv = await store.getInvocation(jobId);
  return inv ? { job: inv.job, data: toInvocationView(inv, base) } : undefined;
}
