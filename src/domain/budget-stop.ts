import type { ValidationError } from "./job.js";

/** USD per million tokens that a job's usage is charged at. */
export interface JobPrice {
  inputPerMTok: number;
  outputPerMTok: number;
}

/** Why a budgeted job is being stopped; the store turns it into the job's and records' errors. */
export type BudgetStop =
  | { code: "budget_exceeded"; spentUsd: number; budgetUsd: number }
  /** A budget that cannot be enforced must not spend silently: no price is known for the model. */
  | { code: "budget_price_unknown"; budgetUsd: number; model: string | null };

/** Spend so far: real usage counts at the job's price (Docket's workers call on-demand APIs). */
export function costUsd(usage: { inputTokens: number; outputTokens: number }, price: JobPrice): number {
  return (usage.inputTokens * price.inputPerMTok + usage.outputTokens * price.outputPerMTok) / 1_000_000;
}

export const usd = (x: number): string => `$${x < 1 ? x.toFixed(4) : x.toFixed(2)}`;

/** The job-level error (OpenAI `errors.data[]`) once the stop is done. */
export function budgetJobError(stop: BudgetStop, finished: number, notRun: number): ValidationError {
  const records = (n: number) => `${n} record${n === 1 ? "" : "s"}`;
  const wereNotRun = `${records(notRun)} ${notRun === 1 ? "was" : "were"} not run`;
  const message =
    stop.code === "budget_exceeded"
      ? `Spent ${usd(stop.spentUsd)} of the ${usd(stop.budgetUsd)} budget after ${records(finished)}; ` +
        `${wereNotRun}.`
      : `The job has a budget of ${usd(stop.budgetUsd)} but no price is known for the model ` +
        `'${stop.model ?? "unknown"}', so it was stopped after ${records(finished)}; ${wereNotRun}. ` +
        `Add "price" to its route in the config, or pass docket_price when creating the batch.`;
  return { code: stop.code, message, line: null, param: null };
}

/** The error each record that was not run carries in the error file. */
export function budgetRecordError(stop: BudgetStop): { code: string; message: string } {
  return stop.code === "budget_exceeded"
    ? {
        code: "budget_exceeded",
        message: `Not run: the job's budget of ${usd(stop.budgetUsd)} was spent.`,
      }
    : { code: "budget_price_unknown", message: "Not run: the job's budget could not be enforced." };
}
