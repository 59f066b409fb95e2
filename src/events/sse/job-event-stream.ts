import type { ServerResponse } from "node:http";
import { isTerminalJobStatus, type Job } from "../../domain/job.js";
import type { Store } from "../../store/store.js";
import { toInvocationView } from "../../views/invocation-view.js";
import { toOpenAiBatch } from "../../views/openai-batch.js";
import { openEventStream } from "./event-stream.js";
import { RecordEventSource } from "./record-events.js";

export interface JobEventStreamOptions {
  store: Store;
  jobId: string;
  /** How often the job is re-read; the store is the truth in every process, so this is a poll. */
  pollMs: number;
  /** Makes URLs in invocation snapshots absolute. */
  base: string;
  /** Comment lines sent this often keep proxies from closing an idle stream. */
  heartbeatMs?: number;
  /** A client whose unsent bytes pass this is dropped (default 1 MiB). */
  maxBufferedBytes?: number;
  /** A client that reads nothing for this long while events wait is dropped (default 30 s). */
  drainTimeoutMs?: number;
  /**
   * Opt-in `record` events (a batch's ended prefix advancing; record-events.ts), following on
   * from this cursor; absent: none.
   */
  recordsAfter?: number;
}

/** Throughput is measured over this trailing window. */
const RATE_WINDOW_MS = 5_000;
const HEARTBEAT_MS = 15_000;
/** Far above one event (a batch object is a few KB; its error list is bounded). */
const MAX_BUFFERED_BYTES = 1024 * 1024;
const DRAIN_TIMEOUT_MS = 30_000;

/**
 * Server-sent events for one job (`text/event-stream`): a `status` event at once and whenever
 * the status changes, `progress` whenever its counts move (with the rate over the last seconds),
 * and `end` with the final snapshot, after which the stream closes. Each event's data is the
 * job as the API shows it (a batch object, or an async_invocation), plus `rate_per_second`.
 */
export async function streamJobEvents(res: ServerResponse, o: JobEventStreamOptions): Promise<void> {
  // Backpressure: events are written only once the previous ones have drained, so a client
  // that does not read holds at most one event plus the socket's buffer; one that reads
  // nothing for `drainTimeoutMs`, or whose backlog passes `maxBufferedBytes`, is dropped.
  const stream = openEventStream(res, o.maxBufferedBytes ?? MAX_BUFFERED_BYTES);
  const { write } = stream;
  const heartbeat = setInterval(
    () => {
      // Bytes still waiting to go out keep proxies awake just as well as a ping would.
      if (!res.writableNeedDrain) write(": ping\n\n");
    },
    heartbeatEvery(res, o.heartbeatMs),
  );
  heartbeat.unref();

  let seq = 0;
  let lastStatus: string | null = null;
  let lastCounts: string | null = null;
  const samples: Array<{ at: number; done: number }> = [];
  const records = o.recordsAfter === undefined ? null : new RecordEventSource(o.store, o.recordsAfter);
  const send = (event: string, data: unknown) => {
    write(`id: ${++seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  try {
    while (!stream.closed) {
      if (res.writableNeedDrain && !(await drained(res, o.drainTimeoutMs ?? DRAIN_TIMEOUT_MS))) {
        res.destroy();
        break;
      }
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
      const advanced =
        job.kind === "batch" ? await records?.advance(job, isTerminalJobStatus(job.status)) : null;
      if (advanced) send("record", advanced);
      if (isTerminalJobStatus(job.status)) {
        send("end", payload);
        break;
      }
      await stream.sleep(o.pollMs);
    }
  } finally {
    clearInterval(heartbeat);
    if (!res.writableEnded) res.end();
  }
}

/**
 * The heartbeat must beat the server's idle timeout (the socket's timeout), or a quiet stream
 * would be cut as idle: at most half of it.
 */
function heartbeatEvery(res: ServerResponse, configured: number | undefined): number {
  const idle = res.socket?.timeout;
  const every = configured ?? HEARTBEAT_MS;
  return idle && idle > 0 ? Math.max(1, Math.min(every, Math.floor(idle / 2))) : every;
}

/** Resolves true once `res` drains, false if it has not within `ms` or the client left. */
function drained(res: ServerResponse, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      res.off("drain", onDrain);
      res.off("close", onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    const timer = setTimeout(() => done(false), ms);
    res.on("drain", onDrain);
    res.on("close", onClose);
  });
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
