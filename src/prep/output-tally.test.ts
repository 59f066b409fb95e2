import { describe, expect, it } from "vitest";
import { OutputTally } from "./output-tally.js";

const chat = (max?: number) => ({
  endpoint: "/v1/chat/completions" as const,
  body: { model: "m", messages: [], ...(max !== undefined ? { max_tokens: max } : {}) },
});

describe("OutputTally", () => {
  it("assumes max_tokens, or an observed average capped by each request's max_tokens", () => {
    const tally = new OutputTally();
    for (let i = 0; i < 3; i++) tally.add(chat(48));
    tally.add(chat(10));
    tally.add({ endpoint: "/v1/embeddings", body: { model: "e", input: "x" } });
    expect(tally.assumed(null)).toBe(3 * 48 + 10);
    expect(tally.assumed(16)).toBe(3 * 16 + 10);
    expect(tally.assumed(60)).toBe(3 * 48 + 10);
  });
});
