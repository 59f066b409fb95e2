import type { Store } from "../store/store.js";
import type { Duty, DutyEntry } from "./duty.js";
import { DutyLoop } from "./duty-loop.js";
import { LeaderElection } from "./leader-election.js";

export interface DutyRunnerOptions {
  duties: DutyEntry[];
  /**
   * Who runs the leader-only duties. `always`: this is the only process on the store (embedded
   * SQLite), so it leads from the start. `elect`: while elected through the store, among any
   * number of processes (`lead` names the lead in the `leaders` table).
   */
  leadership:
    | { kind: "always" }
    | { kind: "elect"; store: Store; lead: string; owner: string; leaseMs: number };
}

/**
 * Runs a process's duties: every-process ones from `start()`, leader-only ones while this
 * process leads. Each duty gets its own loop (duty-loop.ts): interval, immediate `wake()`,
 * no overlapping passes, graceful stop.
 */
export class DutyRunner {
  private readonly everyProcess: DutyLoop[];
  private readonly election: LeaderElection | null;
  /** The leader-only duties' loops while this process leads; null otherwise. */
  private leading: DutyLoop[] | null = null;

  constructor(private readonly o: DutyRunnerOptions) {
    this.everyProcess = o.duties.flatMap((e) => (e.scope === "every-process" ? [new DutyLoop(e.duty)] : []));
    const l = o.leadership;
    this.election =
      l.kind === "elect"
        ? new LeaderElection({
            store: l.store,
            name: l.lead,
            owner: l.owner,
            leaseMs: l.leaseMs,
            onElected: () => this.lead(),
            onDeposed: () => this.stepDown(),
          })
        : null;
  }

  /** Whether this process currently runs the leader-only duties. */
  get isLeader(): boolean {
    return this.election ? this.election.isLeader : this.leading !== null;
  }

  start(): void {
    for (const loop of this.everyProcess) loop.start();
    if (this.election) this.election.start();
    else this.lead();
  }

  /** Work for the named duty may be waiting: a pass soon. A duty not running here ignores it. */
  wake(name: string): void {
    for (const loop of this.leading ?? []) if (loop.name === name) loop.wake();
    for (const loop of this.everyProcess) if (loop.name === name) loop.wake();
  }

  /**
   * Graceful stop. With `names`, only those every-process duties (a process stops taking new
   * work before it drains what it holds). Without, everything left: first the lead (its duties
   * stopped in the order given, then resigned so another process takes over at once), then the
   * every-process duties in the order given.
   */
  async stop(names?: string[]): Promise<void> {
    if (names) {
      await stopInOrder(this.everyProcess.filter((l) => names.includes(l.name)));
      return;
    }
    if (this.election) await this.election.stop();
    else await this.stepDown();
    await stopInOrder(this.everyProcess);
  }

  private lead(): void {
    const duties: Duty[] = this.o.duties.flatMap((e) => (e.scope === "leader" ? [e.create()] : []));
    this.leading = duties.map((d) => new DutyLoop(d));
    for (const loop of this.leading) loop.start();
  }

  private async stepDown(): Promise<void> {
    const loops = this.leading;
    this.leading = null;
    if (loops) await stopInOrder(loops);
  }
}

/** Halts every loop at once (no wake-up between them starts a pass), then waits for each in turn. */
async function stopInOrder(loops: DutyLoop[]): Promise<void> {
  for (const loop of loops) loop.halt();
  for (const loop of loops) await loop.stop();
}
