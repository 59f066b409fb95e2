import type { JobDedup, JobDedupOptions } from "../domain/dedup.js";
import type { JobBudget } from "../store/budget-store.js";

/**
 * What a retry's child inherits from its parent unless the retry request says otherwise
 * (docs/lineage.md, "The child"): the same spending cap, and the same dedup and cache choice.
 * A retry is more of the same work, so a cap or a choice made for the batch should not vanish
 * on the records that need a second try.
 */

/**
 * The child's budget: the retry's own when it gives one, else the parent's cap. The parent's
 * price goes with it only while the model stays the same; a retry that changes the model is
 * charged at the new model's price, resolved as for any new batch (null here).
 */
export function childBudget(
  parent: JobBudget | null,
  override: JobBudget | null,
  modelChanged: boolean,
): JobBudget | null {
  if (override) return override;
  if (!parent) return null;
  return { budgetUsd: parent.budgetUsd, price: modelChanged ? null : parent.price };
}

/**
 * The child's dedup and cache choice: each of the two as the retry gives it, else as the parent
 * asked (null: the routes' settings). Undefined when neither asks for anything, as at creation.
 */
export function childDedup(
  parent: JobDedup | undefined,
  override: JobDedupOptions | undefined,
): JobDedupOptions | undefined {
  const dedup = override?.dedup ?? parent?.dedup ?? null;
  const cache = override?.cache ?? parent?.cache ?? null;
  if (dedup === null && cache === null) return undefined;
  return { dedup, cache };
}
