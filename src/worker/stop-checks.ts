import type { WorkerBudgets } from "../budget/worker-budgets.js";
import type { BudgetStop } from "../domain/budget-stop.js";
import { CoalescedRuns } from "../domain/coalesced-runs.js";
import type { RecordError } from "../domain/record.js";
import type { Store } from "../store/store.js";
import { type StoppedJobs, stoppedRecordError } from "./stopped-jobs.js";

export interface StopChecksOptions {
  store: Store;
  stopped: StoppedJobs;
  budgets: WorkerBudgets;
  /** At most this often while records are prefetched; null: never (stops arrive in-process). */
  everyMs: number | null;
  /** The jobs this worker holds records of that a stop would still save sending. */
  heldJobs(): Set<string>;
  /** Whether any record is claimed and not yet sent (nothing to check otherwise). */
  hasPrefetch(): boolean;
  onStopped(jobId: string, error: RecordError | null): void;
  onBudgetStop(jobId: string, stop: BudgetStop): void;
}

/**
 * PostgreSQL with several processes: a cancel or a budget stop may be decided in another
 * process. Asks the store whether the jobs of prefetched records are still in progress (one
 * read per job held, never per record) and takes in the other workers' spend on budgeted jobs.
 * Runs on every work hint (LISTEN/NOTIFY, sent by every cancel and stop) and, in case a hint is
 * lost, every `everyMs` while anything is prefetched (a timer: with a slow backend the worker
 * may otherwise do nothing for seconds, then start its prefetch at once).
 */
export class StopChecks {
  private timer: NodeJS.Timeout | null = null;
  private readonly passes = new CoalescedRuns(async () => {
    for (const id of this.o.heldJobs()) {
      if (this.o.stopped.has(id)) continue;
      const job = await this.o.store.getJob(id);
      if (job && job.status !== "in_progress") this.o.onStopped(id, stoppedRecordError(job));
    }
    if (this.o.budgets.tracking) {
      for (const s of await this.o.budgets.refresh()) this.o.onBudgetStop(s.jobId, s.stop);
    }
  });

  constructor(private readonly o: StopChecksOptions) {}

  start(): void {
    if (this.o.everyMs === null || this.timer) return;
    this.timer = setInterval(() => {
      if (this.o.hasPrefetch() && !this.passes.busy) void this.check();
    }, this.o.everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async check(): Promise<void> {
    if (this.o.everyMs === null) return;
    try {
      await this.passes.run();
    } catch (err) {
      console.error(`docket: checking for stopped jobs failed: ${(err as Error).message}`);
    }
  }
}
