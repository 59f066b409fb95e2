import { describe, expect, it } from "vitest";
import { backoffDelay, DEFAULT_BACKOFF, parseRetryAfter } from "./backoff.js";

describe("backoffDelay", () => {
  it("draws the whole delay at random by default (full jitter), doubling up to the cap", () => {
    expect(backoffDelay(1, null, DEFAULT_BACKOFF, () => 0)).toBe(0);
    expect(backoffDelay(1, null, DEFAULT_BACKOFF, () => 0.999)).toBe(500);
    expect(backoffDelay(3, null, DEFAULT_BACKOFF, () => 0.5)).toBe(1_000);
    expect(backoffDelay(30, null, DEFAULT_BACKOFF, () => 0.999)).toBe(59_940);
  });

  it("fixes a share of the delay when asked (equal jitter at 0.5)", () => {
    const policy = { baseMs: 10_000, capMs: 3_600_000, fixedShare: 0.5 };
    expect(backoffDelay(1, null, policy, () => 0)).toBe(5_000);
    expect(backoffDelay(1, null, policy, () => 1)).toBe(10_000);
    expect(backoffDelay(30, null, policy, () => 0)).toBe(1_800_000);
  });

  it("never comes back sooner than Retry-After", () => {
    expect(backoffDelay(1, 1_234, DEFAULT_BACKOFF, () => 0.5)).toBe(1_234);
    expect(backoffDelay(10, 1_234, DEFAULT_BACKOFF, () => 0.5)).toBe(30_000);
  });
});

describe("parseRetryAfter", () => {
  it("reads retry-after-ms first, then seconds, then an HTTP date", () => {
    expect(parseRetryAfter("3", "250")).toBe(250);
    expect(parseRetryAfter("3")).toBe(3_000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), null, 4_000)).toBe(6_000);
    expect(parseRetryAfter("soon")).toBeNull();
  });
});
