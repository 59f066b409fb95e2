import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { DocketError } from "../../domain/errors.js";
import { makeBpeCounter } from "./bpe-counter.js";
import { TiktokenCounter } from "./tiktoken-counter.js";

/**
 * A counting thread: the BPE counter over the table this thread shares, and nothing else. The
 * counter is self-contained, so its source text is all the thread needs: it starts the same
 * from the sources (tests, bench) and from the build, and loads no module.
 */
const COUNTING_THREAD = `
const { parentPort, workerData } = require("node:worker_threads");
const count = (${makeBpeCounter.toString()})(workerData.table);
parentPort.on("message", ({ id, texts }) => {
  const counts = new Uint32Array(texts.length);
  for (let i = 0; i < texts.length; i++) counts[i] = count(texts[i]);
  parentPort.postMessage({ id, counts }, [counts.buffer]);
});
`;

/**
 * A counting thread holds a batch of texts (a few MiB) and a bounded piece cache: small heaps
 * keep V8 from growing each isolate lazily to tens of MB. The old generation's limit leaves room
 * for the largest row (16 MiB of text, twice that as UTF-16) many times over.
 */
const THREAD_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 256 };

interface Job {
  resolve(counts: Uint32Array): void;
  reject(error: Error): void;
  chars: number;
}

interface Thread {
  worker: Worker;
  jobs: Map<number, Job>;
  /** Characters sent and not yet counted: new work goes to the least loaded thread. */
  load: number;
}

/**
 * Exact token counting spread over worker threads, one per core: counting is the physical
 * bound of preparing a dataset with exact counts, so the thread that reads, renders and writes
 * hands its texts over in batches and goes on with the next ones. Every thread reads the one
 * shared BPE table. Counts equal `TiktokenCounter.count`'s, and OpenAI's tiktoken's (checked in
 * the tests).
 */
export class CountingThreads {
  private readonly threads: Thread[];
  private nextId = 0;
  private failure: Error | null = null;

  private constructor(counter: TiktokenCounter, count: number) {
    const workerData = { table: counter.table };
    this.threads = Array.from({ length: count }, () => {
      const thread: Thread = {
        worker: new Worker(COUNTING_THREAD, { eval: true, workerData, resourceLimits: THREAD_LIMITS }),
        jobs: new Map(),
        load: 0,
      };
      thread.worker.on("message", ({ id, counts }: { id: number; counts: Uint32Array }) => {
        const job = thread.jobs.get(id);
        if (!job) return;
        thread.jobs.delete(id);
        thread.load -= job.chars;
        job.resolve(counts);
      });
      thread.worker.on("error", (e) => this.fail(e));
      thread.worker.on("exit", (code) => {
        if (thread.jobs.size > 0) this.fail(new Error(`a token counting thread exited (code ${code})`));
      });
      return thread;
    });
  }

  /** Threads for this counter, or null when it cannot be counted elsewhere or there is one core. */
  static start(counter: unknown, threads = defaultThreads()): CountingThreads | null {
    if (!(counter instanceof TiktokenCounter) || threads < 1) return null;
    return new CountingThreads(counter, threads);
  }

  get size(): number {
    return this.threads.length;
  }

  /** Token counts of `texts`, in order. */
  count(texts: string[]): Promise<Uint32Array> {
    if (this.failure) return Promise.reject(this.failure);
    let chars = 0;
    for (const text of texts) chars += text.length;
    const thread = this.threads.reduce((a, b) => (b.load < a.load ? b : a));
    const id = this.nextId++;
    thread.load += chars;
    const counted = new Promise<Uint32Array>((resolve, reject) => {
      thread.jobs.set(id, { resolve, reject, chars });
    });
    thread.worker.postMessage({ id, texts });
    return counted;
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  private fail(error: Error): void {
    this.failure ??= new DocketError("token_counting_failed", `Counting tokens failed: ${error.message}`);
    for (const thread of this.threads) {
      for (const job of thread.jobs.values()) job.reject(this.failure);
      thread.jobs.clear();
    }
  }
}

/** One thread per core: the thread preparing rows needs little, and waits while they count. */
function defaultThreads(): number {
  const cores = availableParallelism();
  return cores < 2 ? 0 : Math.min(cores, 8);
}
