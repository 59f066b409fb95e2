import type { AttemptResult } from "../domain/record.js";
import type { RecordStore } from "../store/record-store.js";
import { gatherWindowMs } from "./gather-window.js";

export interface AckBufferOptions {
  /** Results per transaction at most: a full batch is written at once. */
  maxBatch: number;
  /** Response bytes held at most before they are written (huge answers do not pile up). */
  maxBytes: number;
  /** The shortest and longest time results gather before a write (see gather-window.ts). */
  minDelayMs: number;
  maxDelayMs: number;
  onFlushed: (refused: number[]) => void;
}

/**
 * Group commit for outcomes: results gathered within one flush window are written in a single
 * store transaction (one fsync for many records on SQLite, one round trip on PostgreSQL).
 * Only one flush runs at a time; results arriving during it go into the next. The window
 * follows what the last write cost the event loop (gather-window.ts): a SQLite commit blocks
 * the loop for its fsync, so under load results gather longer and the loop stays free.
 */
export class AckBuffer {
  private pending: AttemptResult[] = [];
  private pendingBytes = 0;
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private windowMs: number;

  constructor(
    private readonly store: Pick<RecordStore, "recordResults">,
    private readonly options: AckBufferOptions,
  ) {
    this.windowMs = options.minDelayMs;
  }

  push(result: AttemptResult): void {
    this.pending.push(result);
    this.pendingBytes += result.outcome.response?.body.length ?? 0;
    if (this.pending.length >= this.options.maxBatch || this.pendingBytes >= this.options.maxBytes) {
      void this.flush();
    } else if (!this.timer) this.timer = setTimeout(() => void this.flush(), this.windowMs);
  }

  get size(): number {
    return this.pending.length;
  }

  /** Writes everything pushed so far; resolves once it is durable. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.flushing) await this.flushing;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.flushing = this.write(batch);
    try {
      await this.flushing;
    } finally {
      this.flushing = null;
    }
    if (this.pending.length > 0 && !this.timer) this.timer = setTimeout(() => void this.flush(), 0);
  }

  private async write(batch: AttemptResult[]): Promise<void> {
    for (;;) {
      try {
        // What the call itself holds the event loop (SQLite's commit runs inside it; a network
        // store only starts its round trip) sets the next window.
        const started = performance.now();
        const written = this.store.recordResults(batch, Date.now());
        this.windowMs = gatherWindowMs(performance.now() - started, this.options);
        const { refused } = await written;
        this.options.onFlushed(refused);
        return;
      } catch (err) {
        // The store is briefly unavailable (busy, failover): keep the results and try again;
        // dropping them would only make the records run twice after their leases expire.
        console.error(`docket: writing ${batch.length} results failed, retrying: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
}
