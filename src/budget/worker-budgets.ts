import { type BudgetStop, costUsd, type JobPrice } from "../domain/budget-stop.js";
import type { Usage } from "../domain/record.js";
import type { Store } from "../store/store.js";
import { overBudget, priceOrStop } from "./check-budgets.js";
import type { ModelPricing } from "./job-pricing.js";

interface Tracked {
  budgetUsd: number;
  price: JobPrice;
  /** What the store had when last read, plus every result this worker charged since. */
  spentUsd: number;
  stopped: boolean;
}

/** Jobs remembered at most; beyond, those this worker no longer holds records of are forgotten. */
const MAX_JOBS = 10_000;

/**
 * The budget guard inside a worker: it charges each result of a budgeted job as it arrives, so
 * the stop is decided before the next request of that job starts (maintenance's pass would see
 * it only at its next tick, after the prefetch had kept running). A job is looked up once, when
 * its first records are claimed: one store read per new job, none per record.
 *
 * With one worker (embedded `docket serve`) every result passes through here, so the count is
 * exact. With several, each sees its own results plus the store's total as of its last
 * `refresh()`; maintenance's pass over the store's totals is the backstop.
 */
export class WorkerBudgets {
  /** null: the job has no budget (or was stopped); a job absent here has not been looked up. */
  private readonly jobs = new Map<string, Tracked | null>();

  constructor(
    private readonly store: Store,
    private readonly pricing: ModelPricing,
  ) {}

  /** The jobs among `jobIds` not looked up yet. */
  unknown(jobIds: Iterable<string>): string[] {
    const out = new Set<string>();
    for (const id of jobIds) if (!this.jobs.has(id)) out.add(id);
    return [...out];
  }

  /** Whether any budgeted job is being tracked (a refresh has something to do). */
  get tracking(): boolean {
    for (const t of this.jobs.values()) if (t && !t.stopped) return true;
    return false;
  }

  /**
   * Looks `jobIds` up (one read of the budgeted jobs), resolving the price of those without one;
   * returns the stops due at once: no price is known, or the budget is already spent.
   * `keep`: jobs whose records this worker holds, never forgotten to make room.
   */
  async learn(jobIds: string[], keep: Set<string>): Promise<Array<{ jobId: string; stop: BudgetStop }>> {
    if (this.jobs.size + jobIds.length > MAX_JOBS) {
      for (const id of this.jobs.keys()) if (!keep.has(id)) this.jobs.delete(id);
    }
    const listed = new Map((await this.store.listBudgetedJobs()).map((j) => [j.id, j]));
    const stops: Array<{ jobId: string; stop: BudgetStop }> = [];
    for (const id of jobIds) {
      const job = listed.get(id);
      if (!job) {
        this.jobs.set(id, null);
        continue;
      }
      const priced = await priceOrStop(this.store, this.pricing, job);
      if ("stop" in priced) {
        this.jobs.set(id, null);
        stops.push({ jobId: id, stop: priced.stop });
        continue;
      }
      const over = overBudget(job, priced.price);
      this.jobs.set(id, {
        budgetUsd: job.budgetUsd,
        price: priced.price,
        spentUsd: costUsd(job.usage, priced.price),
        stopped: over !== null,
      });
      if (over) stops.push({ jobId: id, stop: over });
    }
    return stops;
  }

  /**
   * Several workers: takes in the spend the store has seen (every worker's committed results).
   * It never lowers this worker's figure, so results counted here and not yet committed are
   * not lost; the result is a lower bound of the true spend. Returns the stops now due.
   */
  async refresh(): Promise<Array<{ jobId: string; stop: BudgetStop }>> {
    const stops: Array<{ jobId: string; stop: BudgetStop }> = [];
    for (const job of await this.store.listBudgetedJobs()) {
      const t = this.jobs.get(job.id);
      if (!t || t.stopped) continue;
      t.spentUsd = Math.max(t.spentUsd, costUsd(job.usage, t.price));
      const stop = this.reached(t);
      if (stop) stops.push({ jobId: job.id, stop });
    }
    return stops;
  }

  /** Charges one result; returns the stop when it makes its job reach the budget (once). */
  charge(jobId: string, usage: Usage): BudgetStop | null {
    const t = this.jobs.get(jobId);
    if (!t || t.stopped) return null;
    t.spentUsd += costUsd(usage, t.price);
    return this.reached(t);
  }

  /** The job was stopped (cancel, budget, expiry): nothing more to charge. */
  forget(jobId: string): void {
    if (this.jobs.has(jobId)) this.jobs.set(jobId, null);
  }

  private reached(t: Tracked): BudgetStop | null {
    if (t.spentUsd < t.budgetUsd) return null;
    t.stopped = true;
    return { code: "budget_exceeded", spentUsd: t.spentUsd, budgetUsd: t.budgetUsd };
  }
}
