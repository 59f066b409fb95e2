import { describe, expect, it } from "vitest";
import { FAKE_DEFAULTS, FakeOptionsError, mergeFakeOptions } from "./fake-options.js";

describe("mergeFakeOptions", () => {
  it("applies a partial update over the current options", () => {
    const next = mergeFakeOptions(FAKE_DEFAULTS, { capacity: 4, rate429: 0.1, fail400Marker: "BAD" });
    expect(next).toMatchObject({ capacity: 4, rate429: 0.1, fail400Marker: "BAD", outputTokens: 16 });
    expect(mergeFakeOptions(next, { fail400Marker: null }).fail400Marker).toBeNull();
  });

  it("reads 0 or null limits as no limit (JSON has no Infinity)", () => {
    const limited = mergeFakeOptions(FAKE_DEFAULTS, { rpm: 10, capacity: 2 });
    expect(mergeFakeOptions(limited, { rpm: 0, capacity: null }).rpm).toBe(Number.POSITIVE_INFINITY);
    expect(mergeFakeOptions(limited, { capacity: null }).capacity).toBe(Number.POSITIVE_INFINITY);
  });

  it("names the bad field", () => {
    expect(() => mergeFakeOptions(FAKE_DEFAULTS, { rate500: 2 })).toThrow(/'rate500' is a fraction/);
    expect(() => mergeFakeOptions(FAKE_DEFAULTS, { latencyMs: -1 })).toThrow(/'latencyMs'/);
    expect(() => mergeFakeOptions(FAKE_DEFAULTS, { latncyMs: 5 })).toThrow(
      /Unknown fake backend option 'latncyMs'/,
    );
    expect(() => mergeFakeOptions(FAKE_DEFAULTS, { rate429: 0.6, rate500: 0.6 })).toThrow(
      /must not exceed 1/,
    );
    expect(() => mergeFakeOptions(FAKE_DEFAULTS, { markerPattern: "(" })).toThrow(FakeOptionsError);
    expect(() => mergeFakeOptions(FAKE_DEFAULTS, [1])).toThrow(/JSON object/);
  });
});
