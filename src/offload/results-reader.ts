import type { BatchApiClient } from "../backends/batch-apis/batch-api-client.js";
import type { BatchClientSpec } from "./batch-client-spec.js";
import { type ResultBatch, resultBatches } from "./result-batches.js";
import { ResultsThreadHandle, resultsThreadEntry } from "./results-thread-handle.js";

/**
 * Provider jobs of at least this many records are read on a results thread. Smaller ones are
 * read in-process: their ingest is short, and a thread costs ~0.3 s of CPU to start.
 */
export const THREAD_MIN_RECORDS = 5_000;
/** A results thread nobody read from for this long is stopped (a new one starts when needed). */
const IDLE_MS = 5 * 60_000;

export interface ResultsReaderOptions {
  client: Pick<BatchApiClient, "results" | "recordIdOf">;
  /** How the client was made, for a thread to make the same one; null: read in-process only (a client made some other way). */
  spec: BatchClientSpec | null;
  /** Where a fall-back to in-process reading is told (default: stderr; it means a damaged install or a broken client setup). */
  warn?: (line: string) => void;
}

/**
 * Where ingest reads a provider job's results from (docs/provider-batch.md, "Ingest"). A large
 * job's results are downloaded and parsed on a thread of their own (results-thread.ts) while
 * this thread writes the batch before: on SQLite the writes and the parsing each take about
 * half of ingest's CPU, and both ran on this thread one after the other. The thread is started
 * when such a job is packed or found (`warm`), so its start-up is paid while the provider works.
 */
export class ResultsReader {
  private thread: ResultsThreadHandle | null = null;
  private idle: NodeJS.Timeout | null = null;
  /** Reads in progress: an idle stop waits for them. */
  private reading = 0;
  /** No thread can be used here (no built module, or it could not make the client): read in-process. */
  private inProcessOnly: boolean;

  constructor(private readonly o: ResultsReaderOptions) {
    this.inProcessOnly = o.spec === null;
  }

  /** Whether a results thread is running now (for tests and logs). */
  get threadRunning(): boolean {
    return this.thread !== null && !this.thread.dead;
  }

  /** A provider job of `records` records will be read: start its thread now, if it gets one. */
  warm(records: number): void {
    if (records >= THREAD_MIN_RECORDS) this.threadFor();
  }

  /** The provider job's results in ingest's batches. */
  read(pj: { providerJobId: string; records: number }): AsyncIterable<ResultBatch> {
    const thread = pj.records >= THREAD_MIN_RECORDS ? this.threadFor() : null;
    if (thread === null) return resultBatches(this.o.client, pj.providerJobId);
    return this.readOn(thread, pj.providerJobId);
  }

  async close(): Promise<void> {
    if (this.idle) clearTimeout(this.idle);
    const thread = this.thread;
    this.thread = null;
    await thread?.close();
  }

  private async *readOn(thread: ResultsThreadHandle, providerJobId: string): AsyncGenerator<ResultBatch> {
    this.reading++;
    try {
      yield* thread.read(providerJobId);
    } finally {
      this.reading--;
      if (thread.unusable && !this.inProcessOnly) {
        this.inProcessOnly = true;
        this.warn(`provider results are read in-process from now on: ${thread.failure?.message}`);
      }
      this.stopWhenIdle();
    }
  }

  private warn(line: string): void {
    (this.o.warn ?? ((l: string) => console.error(`docket: ${l}`)))(line);
  }

  private threadFor(): ResultsThreadHandle | null {
    if (this.inProcessOnly) return null;
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    if (this.thread?.dead) {
      void this.thread.close();
      this.thread = null;
    }
    if (this.thread === null) {
      const entry = resultsThreadEntry();
      if (entry === null || this.o.spec === null) {
        this.inProcessOnly = true;
        this.warn(
          "provider results are read in-process: the results thread's module (results-thread.js) is missing",
        );
        return null;
      }
      this.thread = new ResultsThreadHandle(entry, this.o.spec);
    }
    this.stopWhenIdle();
    return this.thread;
  }

  private stopWhenIdle(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      this.idle = null;
      if (this.reading > 0) this.stopWhenIdle();
      else void this.close();
    }, IDLE_MS);
    this.idle.unref();
  }
}
