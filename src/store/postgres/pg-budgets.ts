import type pg from "pg";
import {
  type BudgetStop,
  budgetJobError,
  budgetRecordError,
  type JobPrice,
} from "../../domain/budget-stop.js";
import type { Job } from "../../domain/job.js";
import * as budgetRows from "../budget-rows.js";
import type { BudgetedJob, BudgetStore, JobBudget } from "../budget-store.js";
import type { HeldLease } from "../record-store.js";
import { type JobRow, jobFromRow } from "../rows.js";
import { query, transaction } from "./pg-connection.js";

async function setJobBudget(
  pool: pg.Pool,
  jobId: string,
  budgetUsd: number,
  price: JobPrice | null,
): Promise<void> {
  await query(
    pool,
    "UPDATE jobs SET budget_usd = $1, input_price_per_mtok = $2, output_price_per_mtok = $3 WHERE id = $4",
    [budgetUsd, price?.inputPerMTok ?? null, price?.outputPerMTok ?? null, jobId],
  );
}

async function getJobBudget(pool: pg.Pool, jobId: string): Promise<JobBudget | null> {
  const sql = budgetRows.jobBudgetSql("$1");
  const [row] = await query<budgetRows.JobBudgetRow & pg.QueryResultRow>(pool, sql, [jobId]);
  return budgetRows.jobBudgetFromRow(row);
}

async function listBudgetedJobs(pool: pg.Pool): Promise<BudgetedJob[]> {
  return (await query<budgetRows.BudgetRow & pg.QueryResultRow>(pool, budgetRows.LIST_BUDGETED_JOBS_SQL)).map(
    budgetRows.budgetedFromRow,
  );
}

async function setJobPrice(pool: pg.Pool, jobId: string, price: JobPrice): Promise<void> {
  await query(pool, "UPDATE jobs SET input_price_per_mtok = $1, output_price_per_mtok = $2 WHERE id = $3", [
    price.inputPerMTok,
    price.outputPerMTok,
    jobId,
  ]);
}

/**
 * Locks the job row first and then its records, as cancelJob does, so a concurrent cancel or
 * finishValidation waits rather than deadlocks. Pending records and those the stopping worker
 * claimed but never sent (`unsent`) are cancelled; records in flight keep running.
 */
async function stopForBudget(
  pool: pg.Pool,
  jobId: string,
  stop: BudgetStop,
  now: number,
  unsent?: { owner: string; held: HeldLease[] },
): Promise<Job | undefined> {
  return transaction(pool, async (c) => {
    const ids = unsent?.held.map((h) => h.id) ?? [];
    const moved = await c.query<{ succeeded: number; failed: number }>(
      `UPDATE jobs SET status = 'cancelling', end_status = 'cancelled', cancelling_at = $1
       WHERE id = $2 AND status = 'in_progress'
         AND (EXISTS (SELECT 1 FROM records r WHERE r.job_id = jobs.id AND r.state = 'pending')
           OR EXISTS (SELECT 1 FROM records r WHERE r.job_id = jobs.id AND r.state = 'running'
                        AND r.lease_owner = $3 AND r.id = ANY($4::bigint[])))
       RETURNING succeeded, failed`,
      [now, jobId, unsent?.owner ?? null, ids],
    );
    const row = moved.rows[0];
    if (!row) return undefined;
    const error = budgetRecordError(stop);
    const cancelled = await c.query(
      `UPDATE records SET state = 'cancelled', error_code = $1, error_message = $2, finished_at = $3
       WHERE job_id = $4 AND state = 'pending'`,
      [error.code, error.message, now, jobId],
    );
    let notRun = cancelled.rowCount ?? 0;
    if (unsent && ids.length > 0) {
      const dropped = await c.query(
        `UPDATE records r SET state = 'cancelled', error_code = $1, error_message = $2, finished_at = $3,
           lease_owner = NULL, lease_until = NULL
         FROM unnest($4::bigint[], $5::int[]) AS h(id, attempt)
         WHERE r.id = h.id AND r.attempt = h.attempt AND r.state = 'running' AND r.lease_owner = $6
           AND r.job_id = $7`,
        [error.code, error.message, now, ids, unsent.held.map((h) => h.attempt), unsent.owner, jobId],
      );
      notRun += dropped.rowCount ?? 0;
    }
    const jobError = budgetJobError(stop, Number(row.succeeded) + Number(row.failed), notRun);
    const { rows } = await c.query<JobRow>(
      "UPDATE jobs SET cancelled = cancelled + $1, errors = $2 WHERE id = $3 RETURNING *",
      [notRun, JSON.stringify([jobError]), jobId],
    );
    return rows[0] && jobFromRow(rows[0]);
  });
}

/** Job budgets on PostgreSQL (BudgetStore; SQLite's is sqlite-budgets.ts). */
export function pgBudgets(pool: pg.Pool): BudgetStore {
  return {
    setJobBudget: (jobId, budgetUsd, price) => setJobBudget(pool, jobId, budgetUsd, price),
    getJobBudget: (jobId) => getJobBudget(pool, jobId),
    listBudgetedJobs: () => listBudgetedJobs(pool),
    setJobPrice: (jobId, price) => setJobPrice(pool, jobId, price),
    stopForBudget: (jobId, stop, now, unsent) => stopForBudget(pool, jobId, stop, now, unsent),
  };
}
