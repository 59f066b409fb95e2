import { describe, expect, it } from "vitest";
import type { JobDedup } from "../domain/dedup.js";
import { childBudget, childDedup } from "./child-options.js";

const price = { inputPerMTok: 1, outputPerMTok: 2 };
const asked = (dedup: boolean | null, cache: boolean | null): JobDedup => ({
  dedup,
  cache,
  deduplicated: 3,
  cached: 1,
  savedInputTokens: 10,
  savedOutputTokens: 5,
  savedUsd: 0.1,
});

describe("what a retry's child inherits", () => {
  it("takes the parent's budget and price, the price only while the model stays", () => {
    expect(childBudget({ budgetUsd: 5, price }, null, false)).toEqual({ budgetUsd: 5, price });
    expect(childBudget({ budgetUsd: 5, price }, null, true)).toEqual({ budgetUsd: 5, price: null });
    expect(childBudget(null, null, false)).toBeNull();
  });

  it("takes the retry's own budget over the parent's", () => {
    const own = { budgetUsd: 1, price: null };
    expect(childBudget({ budgetUsd: 5, price }, own, false)).toBe(own);
    expect(childBudget(null, own, true)).toBe(own);
  });

  it("takes each of dedup and cache from the retry where given, else from the parent (not its savings)", () => {
    expect(childDedup(asked(true, false), undefined)).toEqual({ dedup: true, cache: false });
    expect(childDedup(asked(true, false), { dedup: null, cache: true })).toEqual({
      dedup: true,
      cache: true,
    });
    expect(childDedup(asked(null, null), { dedup: false, cache: null })).toEqual({
      dedup: false,
      cache: null,
    });
  });

  it("asks for nothing when neither does (the routes' settings)", () => {
    expect(childDedup(undefined, undefined)).toBeUndefined();
    expect(childDedup(asked(null, null), undefined)).toBeUndefined();
  });
});
