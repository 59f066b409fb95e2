import type { JobPrice } from "../domain/budget-stop.js";
import { tokensForChars } from "../domain/chars-per-token-estimator.js";
import { estimateRequestTokens } from "../limits/token-estimate.js";
import type { Tokens } from "./batch-spend.js";

/**
 * A request's tokens as estimated before it is sent, the way the route gate's tokens-per-minute
 * estimate does (limits/token-estimate.ts): the body's characters / 4 as input, its output cap
 * (`max_tokens` and kin, 256 when none) as output. The output cap is an upper bound, so a
 * budget reserved with it is not overrun by what the answers turn out to be.
 */
export function estimateRecordTokens(body: string): Tokens {
  const inputTokens = tokensForChars(body.length);
  return { inputTokens, outputTokens: estimateRequestTokens(body) - inputTokens };
}

/** What a request is estimated to cost in a provider batch job: at `price` less `batchDiscount`. */
export function estimateBatchUsd(tokens: Tokens, price: JobPrice, batchDiscount: number): number {
  const list =
    (tokens.inputTokens * price.inputPerMTok + tokens.outputTokens * price.outputPerMTok) / 1_000_000;
  return list * (1 - batchDiscount);
}
