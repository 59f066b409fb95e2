import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { BatchClientSpec } from "./batch-client-spec.js";
import { decodeResultBatch, type EncodedResultBatch } from "./encoded-results.js";
import type { ResultBatch } from "./result-batches.js";
import type { FromResultsThread, ThreadError, ToResultsThread } from "./results-thread-protocol.js";

/**
 * The results thread's module: the compiled `results-thread.js` beside this one. Run from the
 * sources (vite-node: the tests and the bench, which build first), this module is a `.ts` file
 * that a thread cannot load, so the build's copy is used; null when there is none (the reader
 * then reads in its own thread).
 */
export function resultsThreadEntry(): URL | null {
  let path = fileURLToPath(new URL("./results-thread.js", import.meta.url));
  if (import.meta.url.endsWith(".ts")) {
    const src = path.lastIndexOf("/src/");
    if (src < 0) return null;
    path = `${path.slice(0, src)}/dist/${path.slice(src + "/src/".length)}`;
  }
  return existsSync(path) ? pathToFileURL(path) : null;
}

/** An error from the thread, as the provider-job loop classifies it (provider-error.ts). */
function rebuilt(e: ThreadError): Error {
  const err = new Error(e.message) as Error & Record<string, unknown>;
  err.name = e.name;
  err.status = e.status;
  if (e.code !== null) err.code = e.code;
  if (e.retryable !== null) err.retryable = e.retryable;
  err.retryAfterMs = e.retryAfterMs;
  return err;
}

interface ActiveRead {
  readId: number;
  batches: EncodedResultBatch[];
  /** Set when the read ended (null: it ended well). */
  ended: { error: Error | null } | null;
  wake: (() => void) | null;
}

/**
 * One results thread (results-thread.ts) and its reads, one at a time. A thread that dies or
 * cannot make its client fails the read in progress with a retryable error (ingest tries again,
 * and its writes are fenced, so nothing is written twice); `dead` then tells the reader to make
 * another.
 */
export class ResultsThreadHandle {
  private readonly worker: Worker;
  private nextReadId = 0;
  private active: ActiveRead | null = null;
  /** The reads queue here: a thread reads one provider job at a time. */
  private turn: Promise<void> = Promise.resolve();
  /** Why the thread cannot read (it died or could not make its client); null while it can. */
  failure: Error | null = null;
  /** The thread could not make its client: reading in-process is the way, not another thread. */
  unusable = false;

  constructor(entry: URL, spec: BatchClientSpec) {
    this.worker = new Worker(entry, { workerData: { spec } });
    this.worker.on("message", (m: FromResultsThread) => this.onMessage(m));
    this.worker.on("error", (err) => this.fail(err));
    this.worker.on("exit", (code) => this.fail(new Error(`the results thread exited (code ${code})`)));
    // An idle thread does not keep the process alive (a read does: see `read`).
    this.worker.unref();
  }

  get dead(): boolean {
    return this.failure !== null;
  }

  /** A provider job's results, decoded batch by batch as the thread hands them over. */
  async *read(providerJobId: string): AsyncGenerator<ResultBatch> {
    let release = () => {};
    const previous = this.turn;
    this.turn = new Promise<void>((r) => (release = r));
    await previous;
    const read: ActiveRead = { readId: ++this.nextReadId, batches: [], ended: null, wake: null };
    try {
      if (this.failure) throw this.failure;
      this.active = read;
      // Awaiting the thread's batches is all a process may have left to do (a CLI run).
      this.worker.ref();
      this.post({ type: "read", readId: read.readId, providerJobId });
      for (;;) {
        const encoded = read.batches.shift();
        if (encoded !== undefined) {
          // Taken: the thread may parse the next batch while this one is written.
          this.post({ type: "more", readId: read.readId });
          yield decodeResultBatch(encoded);
          continue;
        }
        if (read.ended) {
          if (read.ended.error) throw read.ended.error;
          return;
        }
        await new Promise<void>((r) => (read.wake = r));
      }
    } finally {
      if (read.ended === null && this.active === read && !this.failure) {
        // Left early (a write failed): the thread stops downloading; the next read waits for it.
        this.post({ type: "stop", readId: read.readId });
        while (read.ended === null) await new Promise<void>((r) => (read.wake = r));
      }
      if (this.active === read) this.active = null;
      this.worker.unref();
      release();
    }
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners("exit");
    await this.worker.terminate();
  }

  private post(m: ToResultsThread): void {
    this.worker.postMessage(m);
  }

  private onMessage(m: FromResultsThread): void {
    if (m.type === "ready") return;
    if (m.type === "failed") {
      this.unusable = true;
      this.fail(rebuilt(m.error));
      return;
    }
    const read = this.active;
    if (read === null || read.readId !== m.readId) return;
    if (m.type === "batch") read.batches.push(m.batch);
    else read.ended = { error: m.type === "error" ? rebuilt(m.error) : null };
    this.wakeUp(read);
  }

  private fail(err: Error): void {
    if (this.failure) return;
    const failure = Object.assign(new Error(`The results thread failed: ${err.message}`), {
      retryable: true,
    });
    this.failure = failure;
    const read = this.active;
    if (read && read.ended === null) {
      read.ended = { error: failure };
      this.wakeUp(read);
    }
  }

  private wakeUp(read: ActiveRead): void {
    const wake = read.wake;
    read.wake = null;
    wake?.();
  }
}
