import { describe, expect, it } from "vitest";
import {
  averageRate,
  costUsd,
  etaSeconds,
  latencySummary,
  MAX_THROUGHPUT_BUCKETS,
  percentile,
  throughputInterval,
} from "./dashboard-stats.js";

describe("dashboard figures", () => {
  it("picks the smallest bucket size that fits the span in the bucket limit", () => {
    expect(throughputInterval(0)).toBe(1_000);
    expect(throughputInterval(120_000)).toBe(1_000);
    expect(throughputInterval(120_001)).toBe(5_000);
    expect(throughputInterval(3_600_000)).toBe(30_000);
    expect(throughputInterval(30 * 86_400_000)).toBe(21_600_000);
    expect(throughputInterval(10_000 * 86_400_000)).toBe(86_400_000);
    for (const span of [1, 999, 61_000, 7_200_000, 86_400_000]) {
      expect(Math.ceil(span / throughputInterval(span))).toBeLessThanOrEqual(MAX_THROUGHPUT_BUCKETS);
    }
  });

  it("takes nearest-rank percentiles", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 90)).toBe(90);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNull();
    expect(latencySummary([30, 10, 20])).toEqual({ p50: 20, p90: 30, p99: 30, sample: 3 });
    expect(latencySummary([])).toEqual({ p50: null, p90: null, p99: null, sample: 0 });
  });

  it("rates a running job since it started, and gives no rate before or after", () => {
    expect(averageRate({ finished: 500, inProgressAt: 1_000, ended: false, now: 11_000 })).toBe(50);
    expect(averageRate({ finished: 500, inProgressAt: null, ended: false, now: 11_000 })).toBeNull();
    expect(averageRate({ finished: 500, inProgressAt: 1_000, ended: true, now: 11_000 })).toBeNull();
    expect(averageRate({ finished: 0, inProgressAt: 11_000, ended: false, now: 11_000 })).toBeNull();
    expect(etaSeconds(101, 50)).toBe(3);
    expect(etaSeconds(0, 50)).toBe(0);
    expect(etaSeconds(10, 0)).toBeNull();
    expect(etaSeconds(10, null)).toBeNull();
  });

  it("prices usage per million tokens, and says null without a price", () => {
    expect(
      costUsd({ inputTokens: 2_000_000, outputTokens: 500_000 }, { inputPerMTok: 0.15, outputPerMTok: 0.6 }),
    ).toBeCloseTo(0.6, 12);
    expect(costUsd({ inputTokens: 1, outputTokens: 1 }, null)).toBeNull();
  });
});
