import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { DocketError } from "../../domain/errors.js";
import { fastCounterDir, REGEX_TRAP, TiktokenCounter } from "./tiktoken-counter.js";

/**
 * A counting thread: gpt-tokenizer's `countTokens` and nothing else. Plain JavaScript given as
 * text (it needs no Docket module), so it starts the same from the sources (tests, bench) and
 * from the build.
 */
const COUNTING_THREAD = `
const { parentPort, workerData } = require("node:worker_threads");
const { countTokens } = require(workerData.module);
const asText = { disallowedSpecial: new Set() };
parentPort.on("message", ({ id, texts }) => {
  const counts = new Uint32Array(texts.length);
  for (let i = 0; i < texts.length; i++) counts[i] = countTokens(texts[i], asText);
  parentPort.postMessage({ id, counts }, [counts.buffer]);
});
`;

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
 * bound of preparing a dataset with exact counts (10–12 MB/s per core), so the thread that
 * reads, renders and writes hands its texts over in batches and goes on with the next ones.
 * Counts equal `TiktokenCounter.count`'s, and OpenAI's tiktoken's (checked in the tests).
 */
export class CountingThreads {
  private readonly threads: Thread[];
  private nextId = 0;
  private failure: Error | null = null;

  private constructor(
    private readonly counter: TiktokenCounter,
    count: number,
  ) {
    const workerData = { module: `${fastCounterDir()}/encoding/${counter.name}.js` };
    this.threads = Array.from({ length: count }, () => {
      const thread: Thread = {
        worker: new Worker(COUNTING_THREAD, { eval: true, workerData }),
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

  /**
   * Token counts of `texts`, in order. Texts holding U+FEFF or U+0085 are counted here by the
   * counter's exact path: gpt-tokenizer splits them differently from the reference (JavaScript's
   * `\s`) and its rank lookup drops a leading U+FEFF from byte pieces (a BOM-stripping
   * TextDecoder), so no split pattern fixes them there.
   */
  count(texts: string[]): Promise<Uint32Array> {
    if (this.failure) return Promise.reject(this.failure);
    const sent: string[] = [];
    const trapped: number[] = [];
    let chars = 0;
    for (let i = 0; i < texts.length; i++) {
      const text = texts[i]!;
      if (REGEX_TRAP.test(text)) trapped.push(i);
      else {
        sent.push(text);
        chars += text.length;
      }
    }
    const thread = this.threads.reduce((a, b) => (b.load < a.load ? b : a));
    const id = this.nextId++;
    thread.load += chars;
    const counted = new Promise<Uint32Array>((resolve, reject) => {
      thread.jobs.set(id, { resolve, reject, chars });
    });
    thread.worker.postMessage({ id, texts: sent });
    if (trapped.length === 0) return counted;
    const exact = trapped.map((i) => this.counter.count(texts[i]!));
    return counted.then((counts) => {
      const all = new Uint32Array(texts.length);
      let from = 0;
      let t = 0;
      for (let i = 0; i < texts.length; i++) all[i] = trapped[t] === i ? exact[t++]! : counts[from++]!;
      return all;
    });
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
