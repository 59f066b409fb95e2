import type { RecordStore } from "../store/record-store.js";
import type { HeldRecords } from "./held-records.js";

export interface LeaseHeartbeatOptions {
  store: Pick<RecordStore, "renewLeases">;
  /** The worker's name: leases are held in it. */
  owner: string;
  leaseMs: number;
}

/**
 * Keeps the leases of every held record (prefetched or in flight) alive: renewed three times per
 * lease, so a slow renewal or two never lets one expire while its call runs. A lease the store
 * says is lost (it expired and another worker claimed the record, or its job expired) is dropped:
 * its call is aborted, and its late answer would be refused by the store anyway.
 */
export class LeaseHeartbeat {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly o: LeaseHeartbeatOptions,
    private readonly held: HeldRecords,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.renew(), Math.max(50, Math.floor(this.o.leaseMs / 3)));
    // Never what keeps a process alive: the worker's stop ends it.
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async renew(): Promise<void> {
    if (this.held.size === 0) return;
    try {
      const leaseUntil = Date.now() + this.o.leaseMs;
      this.held.dropLost(await this.o.store.renewLeases(this.o.owner, this.held.leases(), leaseUntil));
    } catch (err) {
      console.error(`docket: renewing leases failed: ${(err as Error).message}`);
    }
  }
}
