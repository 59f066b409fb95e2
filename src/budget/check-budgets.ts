import { type BudgetStop, costUsd, type JobPrice } from "../domain/budget-stop.js";
import type { Job } from "../domain/job.js";
import type { BudgetedJob, Store } from "../store/store.js";
import { spentUsd } from "./batch-spend.js";
import type { ModelPricing } from "./job-pricing.js";

/**
 * One pass of the budget guard, run by maintenance: each in-progress job with a budget is
 * charged its real usage so far at its price (tokens that ran in provider batch jobs at the batch
 * discount: batch-spend.ts), and stopped once that reaches the budget. A job
 * whose price is not known yet gets it from its first record's model (and keeps it); with no
 * price at all it is stopped, since a budget that cannot be enforced must not spend silently.
 *
 * Workers enforce the same rule on their own results before each next request (see
 * src/budget/worker-budgets.ts); this pass is the backstop that sees every worker's spend.
 * `onStopped` is told about each job stopped, so workers drop what they prefetched for it.
 * Returns the jobs stopped.
 */
export async function checkBudgets(
  store: Store,
  pricing: ModelPricing,
  now: number,
  onStopped?: (job: Job, stop: BudgetStop) => void,
): Promise<Job[]> {
  const stopped: Job[] = [];
  for (const job of await store.listBudgetedJobs()) {
    const priced = await priceOrStop(store, pricing, job);
    const stop =
      "stop" in priced ? priced.stop : reachedBudget(job, await spentUsd(store, pricing, job, priced.price));
    if (!stop) continue;
    const s = await store.stopForBudget(job.id, stop, now);
    if (s) {
      stopped.push(s);
      onStopped?.(s, stop);
    }
  }
  return stopped;
}

/**
 * The price a budgeted job is charged at: its own, or else its first record's model's (then
 * stored with the job); when no price is known, the stop (`budget_price_unknown`).
 */
export async function priceOrStop(
  store: Store,
  pricing: ModelPricing,
  job: BudgetedJob,
): Promise<{ price: JobPrice } | { stop: BudgetStop }> {
  if (job.price !== null) return { price: job.price };
  const model = modelOf(job.firstBody);
  const price = model === null ? null : pricing(model);
  if (price === null) return { stop: { code: "budget_price_unknown", budgetUsd: job.budgetUsd, model } };
  await store.setJobPrice(job.id, price);
  return { price };
}

/** The stop once the job's spend at `price` has reached its budget; null below it. */
export function overBudget(
  job: { budgetUsd: number; usage: { inputTokens: number; outputTokens: number } },
  price: JobPrice,
): BudgetStop | null {
  return reachedBudget(job, costUsd(job.usage, price));
}

/** The stop once `spentUsd` has reached the job's budget; null below it. */
export function reachedBudget(job: { budgetUsd: number }, spentUsd: number): BudgetStop | null {
  return spentUsd < job.budgetUsd ? null : { code: "budget_exceeded", spentUsd, budgetUsd: job.budgetUsd };
}

/** `body.model` of a request body, or null when it has none (or is not JSON). */
export function modelOf(body: string | null): string | null {
  if (body === null) return null;
  try {
    const model = (JSON.parse(body) as { model?: unknown }).model;
    return typeof model === "string" ? model : null;
  } catch {
    return null;
  }
}
