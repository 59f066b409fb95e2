import type { Store } from "../store/store.js";
import { DutyLoop } from "./duty-loop.js";

export interface LeaderElectionOptions {
  store: Store;
  /** The lead held, e.g. "maintenance": one row in the `leaders` table. */
  name: string;
  owner: string;
  /** How long the lead lasts without renewal: the failover time when the leader dies. */
  leaseMs: number;
  /** This process now leads: start the leader-only duties. */
  onElected: () => void;
  /** This process no longer leads (lost the lease, the database failed, or stopping). */
  onDeposed: () => Promise<void>;
}

/**
 * Elects one process among many through the database: every process asks `tryLead` every
 * third of the lease; the holder's ask renews it, the others' fail until it stops renewing.
 * The duties led this way (lease sweep, expiry, finalize, prune) are idempotent or fenced in
 * the store, so a brief overlap at a handover (a leader paused past its lease) does no harm;
 * the election keeps them from being done N times over, not from being done twice.
 * It is itself an every-process duty, run by the duty runner's own loop.
 */
export class LeaderElection {
  private readonly loop: DutyLoop;
  private leading = false;
  private stopped = false;

  constructor(private readonly o: LeaderElectionOptions) {
    this.loop = new DutyLoop({
      name: `leader election for ${o.name}`,
      intervalMs: Math.max(20, Math.floor(o.leaseMs / 3)),
      pass: () => this.ask(),
    });
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.loop.start();
  }

  /** Stops asking; a leader stops its duties and resigns so another takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop.stop();
    if (this.leading) {
      this.leading = false;
      await this.o.onDeposed();
      await this.o.store.resignLead(this.o.name, this.o.owner).catch(() => {});
    }
  }

  private async ask(): Promise<void> {
    let won = false;
    try {
      won = await this.o.store.tryLead(this.o.name, this.o.owner, this.o.leaseMs, Date.now());
    } catch (err) {
      // Cannot tell whether the lease still holds: step down rather than risk acting beside a
      // successor; the next ask takes the lead back if nobody else did.
      console.error(`docket: leader election for ${this.o.name} failed: ${(err as Error).message}`);
    }
    if (this.stopped) {
      if (won) this.leading = true; // stop() resigns it
      return;
    }
    if (won && !this.leading) {
      this.leading = true;
      this.o.onElected();
    } else if (!won && this.leading) {
      this.leading = false;
      await this.o.onDeposed();
    }
  }
}
