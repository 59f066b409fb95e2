import { describe, expect, it } from "vitest";
import { formatCost, formatDuration, formatRate, progressParts } from "./format.js";

describe("format", () => {
  it("durations use their two largest units", () => {
    expect(formatDuration(45)).toBe("45s");
    expect(formatDuration(200)).toBe("3m 20s");
    expect(formatDuration(7500)).toBe("2h 05m");
    expect(formatDuration(3 * 86_400 + 4 * 3600 + 59)).toBe("3d 4h");
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe("—");
  });

  it("costs keep small amounts readable", () => {
    expect(formatCost(1234.5)).toBe("$1,234.50");
    expect(formatCost(0.0012345)).toBe("$0.001234");
    expect(formatCost(0.5)).toBe("$0.5");
    expect(formatCost(0)).toBe("$0.00");
    expect(formatCost(null)).toBe("—");
  });

  it("rates", () => {
    expect(formatRate(2.345)).toBe("2.35/s");
    expect(formatRate(1234.4)).toBe("1,234/s");
    expect(formatRate(0)).toBe("0/s");
  });

  it("progress never shows 100 % before the last record and never divides by zero", () => {
    expect(progressParts({ total: 0, completed: 0, failed: 0 })).toEqual({
      completedPct: 0,
      failedPct: 0,
      donePct: 0,
    });
    expect(progressParts({ total: 10_000, completed: 9_999, failed: 0 }).donePct).toBe(99);
    const p = progressParts({ total: 4, completed: 2, failed: 1 });
    expect(p).toEqual({ completedPct: 50, failedPct: 25, donePct: 75 });
    expect(progressParts({ total: 2, completed: 2, failed: 1 }).failedPct).toBe(0);
  });
});
