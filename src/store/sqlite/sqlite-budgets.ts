import {
  type BudgetStop,
  budgetJobError,
  budgetRecordError,
  type JobPrice,
} from "../../budget/budget-stop.js";
import type { Job } from "../../domain/job.js";
import { type BudgetRow, budgetedFromRow, LIST_BUDGETED_JOBS_SQL } from "../budget-rows.js";
import { type JobRow, jobFromRow } from "../rows.js";
import type { BudgetedJob, HeldLease } from "../store.js";
import type { SqliteDatabase, SqliteTransaction } from "./sqlite-driver.js";

/** Records a stopping worker claimed but never sent (see Store.stopForBudget). */
type StopUnsent = { owner: string; held: HeldLease[] };

/**
 * Job budgets on SQLite (same contract as PostgreSQL's budgets-sql.ts). The stop cancels the
 * job's pending records and those its worker claimed but never sent, like a cancel: a record
 * already in flight keeps running and its result is still accepted (the overshoot is bounded by
 * the requests in flight).
 */
export class SqliteBudgets {
  private readonly s;
  private readonly stopTx: SqliteTransaction<
    (jobId: string, stop: BudgetStop, now: number, unsent: StopUnsent | undefined) => Job | undefined
  >;

  constructor(db: SqliteDatabase) {
    this.s = {
      setBudget: db.prepare(
        "UPDATE jobs SET budget_usd = ?, input_price_per_mtok = ?, output_price_per_mtok = ? WHERE id = ?",
      ),
      setPrice: db.prepare(
        "UPDATE jobs SET input_price_per_mtok = ?, output_price_per_mtok = ? WHERE id = ?",
      ),
      list: db.prepare<[], BudgetRow>(LIST_BUDGETED_JOBS_SQL),
      current: db.prepare<[string], { status: string; succeeded: number; failed: number }>(
        "SELECT status, succeeded, failed FROM jobs WHERE id = ?",
      ),
      move: db.prepare(
        "UPDATE jobs SET status = 'cancelling', end_status = 'cancelled', cancelling_at = ? WHERE id = ?",
      ),
      cancelPending: db.prepare(
        `UPDATE records SET state = 'cancelled', error_code = ?, error_message = ?, finished_at = ?
         WHERE job_id = ? AND state = 'pending'`,
      ),
      // Claimed by the stopping worker but never sent: not run either.
      cancelUnsent: db.prepare(
        `UPDATE records SET state = 'cancelled', error_code = ?, error_message = ?, finished_at = ?,
           lease_owner = NULL, lease_until = NULL
         WHERE id = ? AND attempt = ? AND state = 'running' AND lease_owner = ? AND job_id = ?`,
      ),
      note: db.prepare("UPDATE jobs SET cancelled = cancelled + ?, errors = ? WHERE id = ?"),
      getJob: db.prepare<[string], JobRow>("SELECT * FROM jobs WHERE id = ?"),
    };
    this.stopTx = db.transaction((jobId: string, stop: BudgetStop, now: number, unsent?: StopUnsent) => {
      const job = this.s.current.get(jobId);
      if (job?.status !== "in_progress") return undefined;
      const error = budgetRecordError(stop);
      let notRun = this.s.cancelPending.run(error.code, error.message, now, jobId).changes;
      for (const h of unsent?.held ?? []) {
        notRun += this.s.cancelUnsent.run(
          error.code,
          error.message,
          now,
          h.id,
          h.attempt,
          unsent!.owner,
          jobId,
        ).changes;
      }
      // Nothing left that a stop would save (everything is running or done): nothing changed.
      if (notRun === 0) return undefined;
      this.s.move.run(now, jobId);
      const jobError = budgetJobError(stop, job.succeeded + job.failed, notRun);
      this.s.note.run(notRun, JSON.stringify([jobError]), jobId);
      return jobFromRow(this.s.getJob.get(jobId)!);
    });
  }

  setJobBudget(jobId: string, budgetUsd: number, price: JobPrice | null): void {
    this.s.setBudget.run(budgetUsd, price?.inputPerMTok ?? null, price?.outputPerMTok ?? null, jobId);
  }

  listBudgetedJobs(): BudgetedJob[] {
    return this.s.list.all().map(budgetedFromRow);
  }

  setJobPrice(jobId: string, price: JobPrice): void {
    this.s.setPrice.run(price.inputPerMTok, price.outputPerMTok, jobId);
  }

  stopForBudget(jobId: string, stop: BudgetStop, now: number, unsent?: StopUnsent): Job | undefined {
    return this.stopTx.immediate(jobId, stop, now, unsent);
  }
}
