import type { BudgetedJob, JobBudget } from "./budget-store.js";

/** A budgeted job as both engines select it (same column names; PostgreSQL may send strings). */
export interface BudgetRow {
  id: string;
  budget_usd: number | string;
  input_price_per_mtok: number | string | null;
  output_price_per_mtok: number | string | null;
  input_tokens: number | string;
  output_tokens: number | string;
  first_body: string | null;
}

/** A job's own budget columns (both engines; PostgreSQL may send strings). */
export type JobBudgetRow = Pick<BudgetRow, "budget_usd" | "input_price_per_mtok" | "output_price_per_mtok">;

/** One job's budget and price; undefined (null from jobBudgetFromRow) for a job without a budget. */
export const jobBudgetSql = (idParam: "?" | "$1") =>
  `SELECT budget_usd, input_price_per_mtok, output_price_per_mtok FROM jobs WHERE id = ${idParam} AND budget_usd IS NOT NULL`;

export function jobBudgetFromRow(r: JobBudgetRow | undefined): JobBudget | null {
  if (!r) return null;
  const price =
    r.input_price_per_mtok === null || r.output_price_per_mtok === null
      ? null
      : { inputPerMTok: Number(r.input_price_per_mtok), outputPerMTok: Number(r.output_price_per_mtok) };
  return { budgetUsd: Number(r.budget_usd), price };
}

export function budgetedFromRow(r: BudgetRow): BudgetedJob {
  const { price } = jobBudgetFromRow(r)!;
  return {
    id: r.id,
    budgetUsd: Number(r.budget_usd),
    price,
    firstBody: price === null ? r.first_body : null,
    usage: { inputTokens: Number(r.input_tokens), outputTokens: Number(r.output_tokens) },
  };
}

/** Budgeted in-progress jobs, with the first record's body while the price is unknown. */
export const LIST_BUDGETED_JOBS_SQL = `
SELECT id, budget_usd, input_price_per_mtok, output_price_per_mtok, input_tokens, output_tokens,
  CASE WHEN input_price_per_mtok IS NULL OR output_price_per_mtok IS NULL
    THEN (SELECT body FROM records r WHERE r.job_id = jobs.id ORDER BY position LIMIT 1) END AS first_body
FROM jobs WHERE status = 'in_progress' AND budget_usd IS NOT NULL ORDER BY seq`;
