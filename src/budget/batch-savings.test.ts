import { describe, expect, it } from "vitest";
import { splitCost } from "./batch-savings.js";

describe("splitCost", () => {
  it("prices batch tokens with the discount and the rest at list price", () => {
    // 1 M call-center transcripts, ~1,500 tokens in and 150 out each, at $3 / $15 per MTok, half off in batch.
    const total = { inputTokens: 1_500_000_000, outputTokens: 150_000_000 };
    const price = { inputPerMTok: 3, outputPerMTok: 15, batchDiscount: 0.5 };
    const allOnDemand = splitCost({ total, batch: { inputTokens: 0, outputTokens: 0 } }, price);
    expect(allOnDemand.totalUsd).toBeCloseTo(6_750, 6);
    expect(allOnDemand.savedUsd).toBe(0);
    const allBatch = splitCost({ total, batch: total }, price);
    expect(allBatch.totalUsd).toBeCloseTo(3_375, 6);
    expect(allBatch.savedUsd).toBeCloseTo(3_375, 6);
    const mixed = splitCost(
      { total, batch: { inputTokens: 1_200_000_000, outputTokens: 120_000_000 } },
      price,
    );
    expect(mixed.onDemand).toEqual({ inputTokens: 300_000_000, outputTokens: 30_000_000, usd: 1_350 });
    expect(mixed.batch.usd).toBeCloseTo(2_700, 6);
    expect(mixed.totalUsd).toBeCloseTo(4_050, 6);
  });

  it("saves nothing when no discount is known", () => {
    const t = { inputTokens: 1_000_000, outputTokens: 0 };
    expect(splitCost({ total: t, batch: t }, { inputPerMTok: 1, outputPerMTok: 1 }).savedUsd).toBe(0);
  });
});
