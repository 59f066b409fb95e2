import { describe, expect, it } from "vitest";
import { sampleIndices } from "./sample.js";

describe("sampleIndices", () => {
  it("spreads n picks over the whole range, first row included", () => {
    expect(sampleIndices(50, 5)).toEqual([0, 10, 20, 30, 40]);
    expect(sampleIndices(10, 6)).toEqual([0, 1, 3, 5, 6, 8]);
    expect(sampleIndices(1_000_003, 3)).toEqual([0, 333_334, 666_668]);
  });

  it("gives exactly n distinct, increasing indices, or every row when n ≥ total", () => {
    for (const [total, n] of [
      [7, 7],
      [97, 13],
      [1000, 999],
    ] as const) {
      const picks = sampleIndices(total, n);
      expect(picks).toHaveLength(n);
      expect(new Set(picks).size).toBe(n);
      expect(picks.every((p, i) => i === 0 || p > picks[i - 1]!)).toBe(true);
      expect(picks[picks.length - 1]!).toBeLessThan(total);
    }
    expect(sampleIndices(3, 10)).toEqual([0, 1, 2]);
  });
});
