import type { Job } from "../domain/job.js";
import type { Store } from "../store/store.js";
import { costUsd } from "./budget-stop.js";
import type { ModelPricing } from "./job-pricing.js";

/**
 * One pass of the budget guard, run by maintenance: each in-progress job with a budget is
 * charged its real usage so far at its price, and stopped once that reaches the budget. A job
 * whose price is not known yet gets it from its first record's model (and keeps it); with no
 * price at all it is stopped, since a budget that cannot be enforced must not spend silently.
 * Returns the jobs stopped.
 */
export async function checkBudgets(store: Store, pricing: ModelPricing, now: number): Promise<Job[]> {
  const stopped: Job[] = [];
  for (const job of await store.listBudgetedJobs()) {
    let price = job.price;
    if (price === null) {
      const model = modelOf(job.firstBody);
      price = model === null ? null : pricing(model);
      if (price === null) {
        const s = await store.stopForBudget(
          job.id,
          { code: "budget_price_unknown", budgetUsd: job.budgetUsd, model },
          now,
        );
        if (s) stopped.push(s);
        continue;
      }
      await store.setJobPrice(job.id, price);
    }
    const spentUsd = costUsd(job.usage, price);
    if (spentUsd < job.budgetUsd) continue;
    const s = await store.stopForBudget(
      job.id,
      { code: "budget_exceeded", spentUsd, budgetUsd: job.budgetUsd },
      now,
    );
    if (s) stopped.push(s);
  }
  return stopped;
}

function modelOf(body: string | null): string | null {
  if (body === null) return null;
  try {
    const model = (JSON.parse(body) as { model?: unknown }).model;
    return typeof model === "string" ? model : null;
  } catch {
    return null;
  }
}
