import { describe, expect, it } from "vitest";
import { CharsPerTokenEstimator, tokensForChars } from "./chars-per-token-estimator.js";

describe("CharsPerTokenEstimator", () => {
  it("is ceil(UTF-16 length / 4), an estimate", () => {
    const estimate = new CharsPerTokenEstimator();
    expect(estimate.exact).toBe(false);
    expect(estimate.name).toBe("estimate(chars/4)");
    expect(estimate.count("")).toBe(0);
    expect(estimate.count("abcd")).toBe(1);
    expect(estimate.count("abcde")).toBe(2);
    expect(estimate.count("😀😀😀")).toBe(2); // 6 UTF-16 units
    expect(tokensForChars(1001)).toBe(251);
  });
});
