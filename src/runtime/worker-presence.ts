import type { Store } from "../store/store.js";

export interface WorkerPresenceOptions {
  store: Store;
  owner: string;
  routes: string[];
  intervalMs: number;
  /** A heartbeat older than this no longer counts the process as alive. */
  staleMs: number;
  /** This process's share of shared budgets changed: 1 / live worker processes. */
  onShare: (share: number) => void;
}

/**
 * Keeps this worker process in the database's worker registry and tells it its share of each
 * route's rate limits: with N live workers, each spends 1/N of the route's rpm and tpm, so the
 * fleet together stays within what the provider allows.
 */
export class WorkerPresence {
  private timer: NodeJS.Timeout | null = null;
  private share = 1;
  private beating: Promise<void> | null = null;

  constructor(private readonly o: WorkerPresenceOptions) {}

  start(): void {
    this.beating = this.beat();
    this.timer = setInterval(() => {
      this.beating = this.beat();
    }, this.o.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.beating;
    await this.o.store.forgetWorker(this.o.owner).catch(() => {});
  }

  private async beat(): Promise<void> {
    try {
      const now = Date.now();
      await this.o.store.heartbeatWorker(this.o.owner, this.o.routes, now);
      const live = await this.o.store.liveWorkers(now, this.o.staleMs);
      const share = 1 / Math.max(1, live);
      if (share !== this.share) {
        this.share = share;
        this.o.onShare(share);
      }
    } catch (err) {
      // Keep the last share: a brief database hiccup should not double anyone's rate.
      console.error(`docket: worker heartbeat failed: ${(err as Error).message}`);
    }
  }
}
