import type Database from "better-sqlite3";
import {
  type BudgetStop,
  budgetJobError,
  budgetRecordError,
  type JobPrice,
} from "../../budget/budget-stop.js";
import type { Job } from "../../domain/job.js";
import { type BudgetRow, budgetedFromRow, LIST_BUDGETED_JOBS_SQL } from "../budget-rows.js";
import { type JobRow, jobFromRow } from "../rows.js";
import type { BudgetedJob } from "../store.js";

/**
 * Job budgets on SQLite (same contract as PostgreSQL's budgets-sql.ts). The stop locks the job
 * first, then its pending records, like a cancel: a record claimed a moment earlier keeps
 * running and its result is still accepted (the small overshoot docs/data-preparation.md notes).
 */
export class SqliteBudgets {
  private readonly s;
  private readonly stopTx: Database.Transaction<
    (jobId: string, stop: BudgetStop, now: number) => Job | undefined
  >;

  constructor(db: Database.Database) {
    this.s = {
      setBudget: db.prepare(
        "UPDATE jobs SET budget_usd = ?, input_price_per_mtok = ?, output_price_per_mtok = ? WHERE id = ?",
      ),
      setPrice: db.prepare(
        "UPDATE jobs SET input_price_per_mtok = ?, output_price_per_mtok = ? WHERE id = ?",
      ),
      list: db.prepare<[], BudgetRow>(LIST_BUDGETED_JOBS_SQL),
      move: db.prepare<[number, string], { succeeded: number; failed: number }>(
        `UPDATE jobs SET status = 'cancelling', end_status = 'cancelled', cancelling_at = ?
         WHERE id = ? AND status = 'in_progress'
           AND EXISTS (SELECT 1 FROM records r WHERE r.job_id = jobs.id AND r.state = 'pending')
         RETURNING succeeded, failed`,
      ),
      cancelPending: db.prepare(
        `UPDATE records SET state = 'cancelled', error_code = ?, error_message = ?, finished_at = ?
         WHERE job_id = ? AND state = 'pending'`,
      ),
      note: db.prepare("UPDATE jobs SET cancelled = cancelled + ?, errors = ? WHERE id = ?"),
      getJob: db.prepare<[string], JobRow>("SELECT * FROM jobs WHERE id = ?"),
    };
    this.stopTx = db.transaction((jobId: string, stop: BudgetStop, now: number) => {
      const moved = this.s.move.get(now, jobId);
      if (!moved) return undefined;
      const error = budgetRecordError(stop);
      const notRun = this.s.cancelPending.run(error.code, error.message, now, jobId).changes;
      const jobError = budgetJobError(stop, moved.succeeded + moved.failed, notRun);
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

  stopForBudget(jobId: string, stop: BudgetStop, now: number): Job | undefined {
    return this.stopTx.immediate(jobId, stop, now);
  }
}
