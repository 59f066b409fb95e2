import { assumedOutputTokens } from "./estimate.js";
import type { RequestPayload } from "./request-body.js";
import { outputReserve } from "./validate.js";

/**
 * Remembers how many requests share each output cap, so the output tokens of a whole dataset
 * can be assumed again once a sample has measured the average (without reading it again, and
 * without keeping a number per request: datasets mostly have one cap).
 */
export class OutputTally {
  private readonly groups = new Map<string, { example: RequestPayload; count: number }>();

  add(payload: RequestPayload): void {
    const key = payload.endpoint === "/v1/embeddings" ? "embeddings" : String(outputReserve(payload));
    const group = this.groups.get(key);
    if (group) group.count++;
    else this.groups.set(key, { example: payload, count: 1 });
  }

  /** Output tokens over all requests: max_tokens each, or the observed average capped by it. */
  assumed(observedAverage: number | null): number {
    let total = 0;
    for (const { example, count } of this.groups.values())
      total += assumedOutputTokens(example, observedAverage) * count;
    return total;
  }
}
