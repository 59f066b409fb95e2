import { describe, expect, it } from "vitest";
import { estimateBatchUsd, estimateRecordTokens } from "./record-estimate.js";

describe("a request's estimate for a provider batch job", () => {
  it("counts the body's characters / 4 as input and its output cap as output", () => {
    const body = JSON.stringify({
      model: "m",
      max_tokens: 100,
      messages: [{ role: "user", content: "x".repeat(60) }],
    });
    const t = estimateRecordTokens(body);
    expect(t).toEqual({ inputTokens: Math.ceil(body.length / 4), outputTokens: 100 });
    expect(estimateRecordTokens('{"model":"m"}').outputTokens).toBe(256);
  });

  it("prices the estimate at the list price less the batch discount", () => {
    const price = { inputPerMTok: 2, outputPerMTok: 10 };
    expect(estimateBatchUsd({ inputTokens: 1_000_000, outputTokens: 100_000 }, price, 0.5)).toBeCloseTo(
      1.5,
      12,
    );
    expect(estimateBatchUsd({ inputTokens: 1_000_000, outputTokens: 100_000 }, price, 0)).toBeCloseTo(3, 12);
  });
});
