import type { BudgetStop, JobPrice } from "../domain/budget-stop.js";
import type { Job } from "../domain/job.js";
import type { HeldLease } from "./record-store.js";

/** Job budgets (docs/data-preparation.md, "Budget guard"). */
export interface BudgetStore {
  /**
   * Gives a job a maximum spend in USD, and the price its usage is charged at when the caller
   * knows it (null: maintenance resolves it from the model of the job's first record).
   */
  setJobBudget(jobId: string, budgetUsd: number, price: JobPrice | null): Promise<void>;
  /** A job's budget and price as set (a retry's child inherits them: docs/lineage.md); null: none. */
  getJobBudget(jobId: string): Promise<JobBudget | null>;
  /** In-progress jobs that have a budget, with their price (if known yet) and usage so far. */
  listBudgetedJobs(): Promise<BudgetedJob[]>;
  /** Records the price a budgeted job is charged at, once resolved. */
  setJobPrice(jobId: string, price: JobPrice): Promise<void>;
  /**
   * in_progress → cancelling because of its budget, if records are still pending: they become
   * `cancelled` with the stop's code (the error file says why), the job's `errors` says what was
   * spent, and records in flight may still finish. `unsent`: records the caller (a worker,
   * `owner`) claimed but never sent; they are cancelled in the same transaction and counted
   * among those not run. Undefined if the job was not stopped (nothing left to stop, or it was
   * no longer in progress); the caller then gives `unsent` back with releaseRecords.
   */
  stopForBudget(
    jobId: string,
    stop: BudgetStop,
    now: number,
    unsent?: { owner: string; held: HeldLease[] },
  ): Promise<Job | undefined>;
}

/** A job's spending cap, and the price its usage is charged at (null: not resolved yet). */
export interface JobBudget {
  budgetUsd: number;
  price: JobPrice | null;
}

/** A job whose spending is capped, as maintenance checks it. */
export interface BudgetedJob {
  id: string;
  budgetUsd: number;
  price: JobPrice | null;
  /** The first record's request body, present only while `price` is null (to find its model). */
  firstBody: string | null;
  usage: { inputTokens: number; outputTokens: number };
}
