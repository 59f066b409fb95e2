import { describe, expect, it } from "vitest";
import { FAKE_BEDROCK_DEFAULTS, mergeFakeBedrockOptions } from "./fake-bedrock-options.js";

describe("mergeFakeBedrockOptions", () => {
  it("merges the shared knobs and Bedrock's own", () => {
    const next = mergeFakeBedrockOptions(FAKE_BEDROCK_DEFAULTS, { rate429: 0.1, rate503: 0.2, capacity: 3 });
    expect(next).toMatchObject({ rate429: 0.1, rate503: 0.2, rateModelNotReady: 0, capacity: 3 });
    expect(mergeFakeBedrockOptions(next, { rateModelNotReady: 0.3 })).toMatchObject({
      rate503: 0.2,
      rateModelNotReady: 0.3,
    });
  });

  it("names the bad field and bounds the fractions together", () => {
    expect(() => mergeFakeBedrockOptions(FAKE_BEDROCK_DEFAULTS, { rate503: 1.5 })).toThrow(
      /'rate503' is a fraction/,
    );
    expect(() => mergeFakeBedrockOptions(FAKE_BEDROCK_DEFAULTS, { rateModelNotReady: "x" })).toThrow(
      /rateModelNotReady/,
    );
    expect(() => mergeFakeBedrockOptions(FAKE_BEDROCK_DEFAULTS, { rate429: 0.6, rate503: 0.6 })).toThrow(
      /must not exceed 1/,
    );
    expect(() => mergeFakeBedrockOptions(FAKE_BEDROCK_DEFAULTS, { rate5O3: 0.1 })).toThrow(
      /Unknown fake backend option/,
    );
  });
});
