/**
 * What a job cost with part of it run through a provider's batch API (issue 13,
 * docs/provider-batch.md "Cost"): batch tokens at the list price less the batch discount,
 * on-demand tokens (the rest of the job's usage) at the list price, and what the discount saved.
 */
export interface SplitUsage {
  /** The job's whole usage (every succeeded record, on-demand and batch). */
  total: { inputTokens: number; outputTokens: number };
  /** The part that ran in provider batch jobs. */
  batch: { inputTokens: number; outputTokens: number };
}

export interface SplitPrice {
  inputPerMTok: number;
  outputPerMTok: number;
  /** Fraction off for batch tokens (0.5: half price); absent: none known. */
  batchDiscount?: number;
}

export interface SplitCost {
  onDemand: { inputTokens: number; outputTokens: number; usd: number };
  batch: { inputTokens: number; outputTokens: number; usd: number };
  totalUsd: number;
  /** What the same tokens would have cost on-demand, less what they cost. */
  savedUsd: number;
}

const usd = (p: SplitPrice, input: number, output: number) =>
  (input * p.inputPerMTok + output * p.outputPerMTok) / 1_000_000;

export function splitCost(u: SplitUsage, p: SplitPrice): SplitCost {
  const onDemandIn = Math.max(0, u.total.inputTokens - u.batch.inputTokens);
  const onDemandOut = Math.max(0, u.total.outputTokens - u.batch.outputTokens);
  const factor = 1 - (p.batchDiscount ?? 0);
  const onDemandUsd = usd(p, onDemandIn, onDemandOut);
  const listBatchUsd = usd(p, u.batch.inputTokens, u.batch.outputTokens);
  const batchUsd = listBatchUsd * factor;
  return {
    onDemand: { inputTokens: onDemandIn, outputTokens: onDemandOut, usd: onDemandUsd },
    batch: { inputTokens: u.batch.inputTokens, outputTokens: u.batch.outputTokens, usd: batchUsd },
    totalUsd: onDemandUsd + batchUsd,
    savedUsd: listBatchUsd - batchUsd,
  };
}
