import { describe, expect, it } from "vitest";
import { describeSavings } from "./dedup-savings.js";

const dedup = (deduplicated: number, cached: number, usd: number) => ({
  dedup: {
    deduplicated_requests: deduplicated,
    cached_requests: cached,
    saved_input_tokens: 900,
    saved_output_tokens: 450,
    saved_usd: usd,
  },
});

describe("describeSavings", () => {
  it("says what was not sent and what it saved, and nothing when nothing was saved", () => {
    expect(describeSavings({})).toBeNull();
    expect(describeSavings(dedup(0, 0, 0))).toBeNull();
    expect(describeSavings(dedup(900, 100, 0.00135))).toBe(
      "  not sent: 900 identical to another request, 100 from the cache; saved 900 input + 450 output tokens ($0.0014)",
    );
    expect(describeSavings(dedup(5, 0, 0))).toBe(
      "  not sent: 5 identical to another request, 0 from the cache; saved 900 input + 450 output tokens",
    );
    expect(describeSavings(dedup(5, 0, 12.5))).toContain("($12.50)");
  });
});
