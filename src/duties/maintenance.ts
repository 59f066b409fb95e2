import { checkBudgets } from "../budget/check-budgets.js";
import { type ModelPricing, tablePricing } from "../budget/job-pricing.js";
import { budgetRecordError } from "../domain/budget-stop.js";
import type { Job } from "../domain/job.js";
import type { RecordError } from "../domain/record.js";
import type { JobKinds } from "../jobs/job-kind.js";
import type { Store } from "../store/store.js";
import type { Duty } from "./duty.js";

export interface MaintenanceOptions {
  store: Store;
  /** Each kind of job finalizes its own way (a batch's JSONL files, an invocation's answer). */
  kinds: JobKinds;
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

/** The duty's name: what `wake("maintenance")` and the `leaders` table know it by. */
export const MAINTENANCE = "maintenance";

/**
 * A leader duty: requeue records whose lease ran out, expire jobs past their window, and
 * finalize jobs whose records are all done. Each pass is a few indexed queries; a wake-up runs
 * one soon, so a finished batch completes without waiting for the interval.
 */
export function maintenanceDuty(o: MaintenanceOptions & { intervalMs: number }): Duty {
  const maintenance = new Maintenance(o);
  return { name: MAINTENANCE, intervalMs: o.intervalMs, pass: () => maintenance.tick() };
}

/** One maintenance pass over the store, for the duty and for tests and tools that drive it directly. */
export class Maintenance {
  constructor(private readonly o: MaintenanceOptions) {}

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
      const kind = (await store.getJob(id))?.kind ?? "batch";
      await this.o.kinds[kind].finalize(id, endStatus, this.o.outputRetentionMs);
      const job = await store.getJob(id);
      if (job) this.o.onJobEnded?.(job);
    }
  }
}
