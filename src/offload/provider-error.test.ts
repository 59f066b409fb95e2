import { describe, expect, it } from "vitest";
import { BatchApiError } from "../backends/batch-apis/batch-http/batch-api-error.js";
import { DocketError } from "../domain/errors.js";
import { classifyProviderError, providerBackoffMs } from "./provider-error.js";

describe("classifyProviderError", () => {
  it("trusts a client's own retryable verdict", () => {
    expect(classifyProviderError(new BatchApiError("slow down", 429, "rate_limit", true, 5000))).toEqual({
      retryable: true,
      message: "slow down",
      retryAfterMs: 5000,
    });
    expect(classifyProviderError(new BatchApiError("bad", 400, "invalid", false)).retryable).toBe(false);
  });

  it("reads Docket's provider error codes and HTTP statuses", () => {
    expect(classifyProviderError(new DocketError("provider_refused", "no role", 400)).retryable).toBe(false);
    expect(classifyProviderError(new DocketError("provider_throttled", "quota", 429)).retryable).toBe(true);
    expect(classifyProviderError(new DocketError("provider_unavailable", "down", 503)).retryable).toBe(true);
    expect(classifyProviderError(new Error("socket hang up")).retryable).toBe(true);
  });
});

describe("providerBackoffMs", () => {
  it("doubles up to the cap and honours retry-after", () => {
    expect([1, 2, 3, 10].map((n) => providerBackoffMs(n, 100, 1000, null))).toEqual([100, 200, 400, 1000]);
    expect(providerBackoffMs(1, 100, 1000, 5000)).toBe(5000);
  });
});
