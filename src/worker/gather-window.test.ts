import { describe, expect, it } from "vitest";
import { BLOCKED_SHARE, gatherWindowMs } from "./gather-window.js";

const bounds = { minDelayMs: 10, maxDelayMs: 50 };

describe("gatherWindowMs", () => {
  it("keeps the minimum when a write hardly holds the loop (a network round trip)", () => {
    expect(gatherWindowMs(0.05, bounds)).toBe(10);
  });

  it("gathers long enough that writes hold at most the allowed share of the loop", () => {
    const blocked = 2;
    const window = gatherWindowMs(blocked, bounds);
    expect(window).toBe(38);
    expect(blocked / (blocked + window)).toBeCloseTo(BLOCKED_SHARE, 2);
  });

  it("never waits longer than the maximum, however slow the disk", () => {
    expect(gatherWindowMs(40, bounds)).toBe(50);
  });
});
