import type { BlobStore } from "../blobs/blob-store.js";
import { budgetRecordError } from "../budget/budget-stop.js";
import { checkBudgets } from "../budget/check-budgets.js";
import { type ModelPricing, tablePricing } from "../budget/job-pricing.js";
import type { Job } from "../domain/job.js";
import type { RecordError } from "../domain/record.js";
import { finalizeInvocation } from "../invocations/finalize-invocation.js";
import { finalizeJob } from "../output/finalize-job.js";
import { PeriodicTask } from "../runtime/periodic-task.js";
import type { Store } from "../store/store.js";

export interface MaintenanceOptions {
  store: Store;
  blobs: BlobStore;
  intervalMs: number;
  outputRetentionMs: number | null;
  /** Told about every job that reached its end (webhooks, SSE, logs). */
  onJobEnded?: (job: Job) => void;
  /** Told when leases were requeued, so workers look again. */
  onWorkRequeued?: () => void;
  /** Prices for job budgets (`routePricing(config.routes)`); default: the built-in price table. */
  pricing?: ModelPricing;
  /**
   * Told about every job this pass stopped (its budget, or its completion window), so workers
   * send nothing more of it and end what they prefetched with `error`.
   */
  onJobStopped?: (jobId: string, error: RecordError | null) => void;
}

/**
 * The duties one process performs for everyone: requeue records whose lease ran out, expire
 * jobs past their window, and finalize jobs whose records are all done. Each tick is a few
 * indexed queries; `poke()` runs one soon, so a finished batch completes without waiting.
 */
export class Maintenance {
  private readonly loop: PeriodicTask;

  constructor(private readonly o: MaintenanceOptions) {
    this.loop = new PeriodicTask("maintenance", o.intervalMs, () => this.tick());
  }

  start(): void {
    this.loop.start();
  }

  poke(): void {
    this.loop.poke();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** One full pass; exposed so tests and `docket` tools can drive maintenance directly. */
  async tick(): Promise<void> {
    const { store } = this.o;
    const now = Date.now();
    const requeued = await store.requeueExpiredLeases(now);
    if (requeued > 0) this.o.onWorkRequeued?.();
    const stopped = this.o.onJobStopped;
    // Expired records are no longer running: workers just drop them from their prefetch.
    for (const id of await store.expireJobs(now)) stopped?.(id, null);
    for (const id of await store.expireInvocations(now)) stopped?.(id, null);
    await checkBudgets(store, this.o.pricing ?? tablePricing(), now, (job, stop) =>
      stopped?.(job.id, budgetRecordError(stop)),
    );
    for (const { id, endStatus } of await store.claimFinalizable(now)) {
      // An invocation's result is its backend's answer (or a failure document), not JSONL files.
      const finalize = (await store.getJob(id))?.kind === "invocation" ? finalizeInvocation : finalizeJob;
      await finalize(store, this.o.blobs, id, endStatus, this.o.outputRetentionMs);
      const job = await store.getJob(id);
      if (job) this.o.onJobEnded?.(job);
    }
  }
}
