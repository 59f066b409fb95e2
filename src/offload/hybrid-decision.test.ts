import { describe, expect, it } from "vitest";
import { chooseLane, fallbackDue, learnedTurnaround } from "./hybrid-decision.js";

const H = 3_600_000;
const s = { turnaroundMs: 2 * H, minBatchRecords: 100, onlineFallbackBeforeMs: H / 2 };

describe("chooseLane", () => {
  it("runs a job whose window is shorter than the turnaround on-demand", () => {
    expect(chooseLane({ pending: 10_000, expiresAt: H }, 0, s, 2 * H)).toBe("online");
  });

  it("batches a big job whose window leaves room for the turnaround and the fallback margin", () => {
    expect(chooseLane({ pending: 10_000, expiresAt: 24 * H }, 0, s, 2 * H)).toBe("batch");
    expect(chooseLane({ pending: 10_000, expiresAt: 2.5 * H }, 0, s, 2 * H)).toBe("batch");
    expect(chooseLane({ pending: 10_000, expiresAt: 2.5 * H - 1 }, 0, s, 2 * H)).toBe("online");
    expect(chooseLane({ pending: 10_000, expiresAt: null }, 0, s, 2 * H)).toBe("batch");
  });

  it("runs a small job on-demand", () => {
    expect(chooseLane({ pending: 99, expiresAt: 24 * H }, 0, s, 2 * H)).toBe("online");
  });
});

describe("fallbackDue", () => {
  it("is due within the margin before the window ends, never without a window", () => {
    expect(fallbackDue(10 * H, 9 * H, H)).toBe(true);
    expect(fallbackDue(10 * H, 9 * H - 1, H)).toBe(false);
    expect(fallbackDue(null, 1e15, H)).toBe(false);
  });
});

describe("learnedTurnaround", () => {
  it("plans with the configured figure until three jobs were seen, then with the slowest recent one", () => {
    expect(learnedTurnaround(24 * H, [H, 2 * H])).toBe(24 * H);
    expect(learnedTurnaround(24 * H, [H, 3 * H, 2 * H])).toBe(3 * H);
    const many = [...Array.from({ length: 30 }, () => 100 * H), ...Array.from({ length: 20 }, () => H)];
    expect(learnedTurnaround(24 * H, many)).toBe(H);
  });
});
