import { type BudgetStop, budgetJobError, budgetRecordError } from "../../domain/budget-stop.js";
import type { Job } from "../../domain/job.js";
import { BUDGET_STOPPABLE_JOB_STATUSES } from "../../domain/job-transitions.js";
import {
  type BudgetRow,
  budgetedFromRow,
  type JobBudgetRow,
  jobBudgetFromRow,
  jobBudgetSql,
  LIST_BUDGETED_JOBS_SQL,
} from "../budget-rows.js";
import type { BudgetStore } from "../budget-store.js";
import type { HeldLease } from "../record-store.js";
import { type JobRow, jobFromRow } from "../rows.js";
import type { SqliteDatabase } from "./sqlite-driver.js";

/** Records a stopping worker claimed but never sent (see Store.stopForBudget). */
type StopUnsent = { owner: string; held: HeldLease[] };

/**
 * Job budgets on SQLite (BudgetStore; PostgreSQL's is pg-budgets.ts). The stop cancels the
 * job's pending records and those its worker claimed but never sent, like a cancel: a record
 * already in flight keeps running and its result is still accepted (the overshoot is bounded by
 * the requests in flight).
 */
export function sqliteBudgets(db: SqliteDatabase): BudgetStore {
  const s = {
    setBudget: db.prepare(
      "UPDATE jobs SET budget_usd = ?, input_price_per_mtok = ?, output_price_per_mtok = ? WHERE id = ?",
    ),
    setPrice: db.prepare("UPDATE jobs SET input_price_per_mtok = ?, output_price_per_mtok = ? WHERE id = ?"),
    list: db.prepare<[], BudgetRow>(LIST_BUDGETED_JOBS_SQL),
    budget: db.prepare<[string], JobBudgetRow>(jobBudgetSql("?")),
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
  const stopTx = db.transaction(
    (jobId: string, stop: BudgetStop, now: number, unsent?: StopUnsent): Job | undefined => {
      const job = s.current.get(jobId);
      if (!(BUDGET_STOPPABLE_JOB_STATUSES as readonly string[]).includes(job?.status ?? "")) return undefined;
      const error = budgetRecordError(stop);
      let notRun = s.cancelPending.run(error.code, error.message, now, jobId).changes;
      for (const h of unsent?.held ?? []) {
        notRun += s.cancelUnsent.run(
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
      s.move.run(now, jobId);
      const jobError = budgetJobError(stop, job!.succeeded + job!.failed, notRun);
      s.note.run(notRun, JSON.stringify([jobError]), jobId);
      return jobFromRow(s.getJob.get(jobId)!);
    },
  );
  return {
    async setJobBudget(jobId, budgetUsd, price) {
      s.setBudget.run(budgetUsd, price?.inputPerMTok ?? null, price?.outputPerMTok ?? null, jobId);
    },
    async getJobBudget(jobId) {
      return jobBudgetFromRow(s.budget.get(jobId));
    },
    async listBudgetedJobs() {
      return s.list.all().map(budgetedFromRow);
    },
    async setJobPrice(jobId, price) {
      s.setPrice.run(price.inputPerMTok, price.outputPerMTok, jobId);
    },
    async stopForBudget(jobId, stop, now, unsent) {
      return stopTx.immediate(jobId, stop, now, unsent);
    },
  };
}
