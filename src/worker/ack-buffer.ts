import type { AttemptResult } from "../domain/record.js";
import type { Store } from "../store/store.js";

/**
 * Group commit for outcomes: results gathered within one flush window are written in a single
 * store transaction (one fsync for many records on SQLite, one round trip on PostgreSQL).
 * Only one flush runs at a time; results arriving during it go into the next.
 */
export class AckBuffer {
  private pending: AttemptResult[] = [];
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly options: { maxBatch: number; delayMs: number; onFlushed: (refused: number[]) => void },
  ) {}

  push(result: AttemptResult): void {
    this.pending.push(result);
    if (this.pending.length >= this.options.maxBatch) void this.flush();
    else if (!this.timer) this.timer = setTimeout(() => void this.flush(), this.options.delayMs);
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
        const { refused } = await this.store.recordResults(batch, Date.now());
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
