import { describe, expect, it } from "vitest";
import { assumedOutputTokens, estimate } from "./estimate.js";
import { findPrice } from "./prices.js";

const price = { model: "m", inputPerMTok: 2, outputPerMTok: 8, batchDiscount: 0.5 };

describe("estimate", () => {
  it("prices input and output per million tokens, with the batch discount", () => {
    const e = estimate({ requests: 1000, inputTokens: 2_000_000, outputTokens: 500_000 }, price);
    // 2M × $2 + 0.5M × $8 = $4 + $4
    expect(e.cost).toEqual({ onDemandUsd: 8, batchUsd: 4 });
    expect(e.duration).toBeNull();
  });

  it("takes the slowest of the known limits", () => {
    const totals = { requests: 600, inputTokens: 90_000, outputTokens: 30_000 };
    expect(estimate(totals, null, { requestsPerMinute: 60 }).duration).toEqual({
      seconds: 600,
      limitedBy: "requests_per_minute",
    });
    // 120k tokens at 10k/min = 12 min, slower than 600 requests at 100/min = 6 min.
    expect(estimate(totals, null, { requestsPerMinute: 100, tokensPerMinute: 10_000 }).duration).toEqual({
      seconds: 720,
      limitedBy: "tokens_per_minute",
    });
    // 600 × 2 s / 4 in flight = 300 s; concurrency alone needs a latency.
    expect(estimate(totals, null, { concurrency: 4, latencyMs: 2000 }).duration).toEqual({
      seconds: 300,
      limitedBy: "concurrency",
    });
    expect(estimate(totals, null, { concurrency: 4 }).duration).toBeNull();
    expect(estimate(totals, null).cost).toBeNull();
  });

  it("assumes max_tokens, or the observed average capped by it", () => {
    const chat = {
      endpoint: "/v1/chat/completions" as const,
      body: { model: "m", messages: [{ role: "user" as const, content: "x" }], max_tokens: 50 },
    };
    expect(assumedOutputTokens(chat, null)).toBe(50);
    expect(assumedOutputTokens(chat, 20.5)).toBe(20.5);
    expect(assumedOutputTokens(chat, 80)).toBe(50);
    expect(assumedOutputTokens({ endpoint: "/v1/embeddings", body: { model: "e", input: "x" } }, 80)).toBe(0);
  });
});

describe("findPrice", () => {
  it("matches the most specific built-in entry and lets overrides win", () => {
    expect(findPrice("gpt-4o-mini-2024-07-18")?.inputPerMTok).toBe(0.15);
    expect(findPrice("gpt-4o-2024-08-06")?.inputPerMTok).toBe(2.5);
    expect(findPrice("claude-sonnet-4-5")?.outputPerMTok).toBe(15);
    expect(findPrice("local-dummy")).toBeNull();
    expect(findPrice("gpt-4o", [{ ...price, model: "gpt-4o*" }])?.inputPerMTok).toBe(2);
  });
});
