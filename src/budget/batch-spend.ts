import { costUsd, type JobPrice } from "../domain/budget-stop.js";
import type { Store } from "../store/store.js";
import { splitCost } from "./batch-savings.js";
import type { ModelPricing } from "./job-pricing.js";

/** Tokens, input and output. */
export interface Tokens {
  inputTokens: number;
  outputTokens: number;
}

/**
 * What a budgeted job has spent so far: its on-demand tokens at `price`, and the tokens that ran
 * in provider batch jobs at `price` less the model's batch discount (docs/provider-batch.md,
 * "Cost") — what the provider bills, and what `GET /v1/batches/{id}/provider_jobs` reports. A job
 * that never ran in a provider job costs one indexed read more than its list-price spend.
 */
export async function spentUsd(
  store: Pick<Store, "providerJobsOfJob" | "getJob">,
  pricing: ModelPricing,
  job: { id: string; usage: Tokens },
  price: JobPrice,
): Promise<number> {
  const batch = await batchUsageOf(store, job.id);
  if (batch.inputTokens === 0 && batch.outputTokens === 0) return costUsd(job.usage, price);
  const model = (await store.getJob(job.id))?.model ?? null;
  const batchDiscount = model === null ? 0 : (pricing.batchDiscount?.(model) ?? 0);
  return splitCost({ total: job.usage, batch }, { ...price, batchDiscount }).totalUsd;
}

/** The tokens of a job's records that provider batch jobs answered. */
export async function batchUsageOf(store: Pick<Store, "providerJobsOfJob">, jobId: string): Promise<Tokens> {
  const usage = { inputTokens: 0, outputTokens: 0 };
  for (const share of await store.providerJobsOfJob(jobId)) {
    usage.inputTokens += share.inputTokens;
    usage.outputTokens += share.outputTokens;
  }
  return usage;
}
