import type { BudgetStop, JobPrice } from "../domain/budget-stop.js";
import { estimateBatchUsd, estimateRecordTokens } from "./record-estimate.js";

/** A budgeted job as one packing pass sees it. */
export interface BudgetedForPacking {
  budgetUsd: number;
  /** Spent so far (batch tokens at the batch discount: batch-spend.ts). */
  spentUsd: number;
  /** Estimated cost of its records held by provider jobs not yet ended (sent, not yet answered). */
  reservedUsd: number;
  /** The price to estimate with, or the stop when none is known (`budget_price_unknown`). */
  price: JobPrice | BudgetStop;
  batchDiscount: number;
}

export type AllowanceVerdict =
  /** The job has no budget: nothing to count. */
  | { verdict: "free" }
  /** It fits: `take(jobId, usd)` once the record is really packed. */
  | { verdict: "take"; usd: number }
  /** It does not fit yet, but provider jobs of the job are still out: their answers decide. */
  | { verdict: "wait" }
  /** It can never fit: nothing of the job is out, and what is left does not pay for it. */
  | { verdict: "stop"; stop: BudgetStop };

/**
 * What a packing pass may still put into provider jobs for each budgeted Docket job
 * (docs/provider-batch.md, "Cost"): its budget less what it spent and what its records already
 * out at the provider are estimated to cost, each record estimated at the batch price from its
 * input and its output cap. Input order holds within a job: once one of its records does not
 * fit, none after it is packed in this pass. Pure; the runner feeds it records one at a time.
 */
export class SubmitAllowance {
  /** Jobs whose next record must wait for their provider jobs to end. */
  readonly waiting = new Set<string>();
  private readonly packedUsd = new Map<string, number>();
  private readonly stopped = new Map<string, BudgetStop>();

  constructor(private readonly jobs: ReadonlyMap<string, BudgetedForPacking>) {}

  /** Whether any job is counted at all (no budget anywhere: nothing to check). */
  get active(): boolean {
    return this.jobs.size > 0;
  }

  check(jobId: string, body: string): AllowanceVerdict {
    const job = this.jobs.get(jobId);
    if (job === undefined) return { verdict: "free" };
    const stopped = this.stopped.get(jobId);
    if (stopped) return { verdict: "stop", stop: stopped };
    if (this.waiting.has(jobId)) return { verdict: "wait" };
    if ("code" in job.price) return this.stop(jobId, job.price);
    const usd = estimateBatchUsd(estimateRecordTokens(body), job.price, job.batchDiscount);
    const packed = this.packedUsd.get(jobId) ?? 0;
    if (job.spentUsd + job.reservedUsd + packed + usd <= job.budgetUsd) return { verdict: "take", usd };
    if (job.reservedUsd > 0 || packed > 0) {
      this.waiting.add(jobId);
      return { verdict: "wait" };
    }
    return this.stop(jobId, { code: "budget_exceeded", spentUsd: job.spentUsd, budgetUsd: job.budgetUsd });
  }

  /** The record checked last for `jobId` was packed: its estimate is now out at the provider. */
  take(jobId: string, usd: number): void {
    this.packedUsd.set(jobId, (this.packedUsd.get(jobId) ?? 0) + usd);
  }

  /** What this pass packed per budgeted job (the provider job's reservation). */
  packed(): Map<string, number> {
    return new Map(this.packedUsd);
  }

  private stop(jobId: string, stop: BudgetStop): AllowanceVerdict {
    this.stopped.set(jobId, stop);
    return { verdict: "stop", stop };
  }
}
