import { describe, expect, it } from "vitest";
import type { ProviderJob, ProviderJobState } from "../domain/provider-job.js";
import { freeSlots, tokenRoom } from "./job-slots.js";

const job = (state: ProviderJobState, estimatedTokens = 0): ProviderJob => ({
  id: `pj_${Math.random()}`,
  route: "r",
  model: "m",
  endpoint: "/v1/chat/completions",
  state,
  providerJobId: null,
  records: 1,
  bytes: 1,
  estimatedTokens,
  ingested: 0,
  requeued: 0,
  error: null,
  createdAt: 0,
  submittedAt: null,
  endedAt: null,
  updatedAt: 0,
});

describe("freeSlots", () => {
  it("counts the provider's jobs, made by anyone, plus Docket's not yet there", () => {
    expect(freeSlots(2, 0, [])).toBe(2);
    expect(freeSlots(2, 1, [])).toBe(1);
    expect(freeSlots(2, 1, [job("uploading")])).toBe(0);
    expect(freeSlots(2, 5, [])).toBe(0);
  });

  it("takes Docket's running jobs as a floor when the provider's listing lags", () => {
    expect(freeSlots(3, 0, [job("running"), job("running")])).toBe(1);
    expect(freeSlots(3, 2, [job("running"), job("running")])).toBe(1);
  });

  it("does not count jobs being ingested (the provider has ended them)", () => {
    expect(freeSlots(1, 0, [job("ingesting")])).toBe(1);
  });
});

describe("tokenRoom", () => {
  it("is what the limit leaves after the open jobs' estimates", () => {
    expect(tokenRoom(null, [job("running", 10)])).toBeNull();
    expect(tokenRoom(100, [job("running", 30), job("uploading", 20)])).toBe(50);
    expect(tokenRoom(100, [job("running", 130)])).toBe(0);
    expect(tokenRoom(100, [job("ingesting", 100)])).toBe(100);
  });
});
