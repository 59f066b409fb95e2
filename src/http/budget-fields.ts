import type { JobPrice } from "../budget/budget-stop.js";
import { invalidRequest } from "../domain/errors.js";

/** A batch's spending cap from the Docket extension fields of `POST /v1/batches`. */
export interface BudgetRequest {
  budgetUsd: number;
  /** Null: maintenance prices the job from its route's `price` or the built-in table. */
  price: JobPrice | null;
}

/**
 * Reads `docket_budget_usd` (USD > 0) and the optional `docket_price`
 * (`{"input_per_mtok", "output_per_mtok"}`, USD per million tokens). Extra body fields are
 * ignored by OpenAI's SDK types but sent as given (`extra_body` / a spread), so any client can set them.
 */
export function parseBudgetFields(body: Record<string, unknown>): BudgetRequest | null {
  const budget = body.docket_budget_usd;
  const price = body.docket_price;
  if (budget === undefined || budget === null) {
    if (price !== undefined && price !== null)
      throw invalidRequest("'docket_price' is only used with 'docket_budget_usd'.", "docket_price");
    return null;
  }
  if (typeof budget !== "number" || !Number.isFinite(budget) || budget <= 0) {
    throw invalidRequest(
      `'docket_budget_usd' must be a number of US dollars > 0; got ${JSON.stringify(budget)}.`,
      "docket_budget_usd",
    );
  }
  if (price === undefined || price === null) return { budgetUsd: budget, price: null };
  const p = (typeof price === "object" && !Array.isArray(price) ? price : {}) as Record<string, unknown>;
  const rate = (key: string): number => {
    const v = p[key];
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
      throw invalidRequest(
        `'docket_price.${key}' must be a number ≥ 0 (USD per million tokens); got ${JSON.stringify(v ?? null)}.`,
        "docket_price",
      );
    }
    return v;
  };
  return {
    budgetUsd: budget,
    price: { inputPerMTok: rate("input_per_mtok"), outputPerMTok: rate("output_per_mtok") },
  };
}
