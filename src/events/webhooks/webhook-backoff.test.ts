import { describe, expect, it } from "vitest";
import { webhookBackoff } from "./webhook-backoff.js";

describe("webhookBackoff", () => {
  const config = { backoffBaseMs: 10_000, backoffCapMs: 3_600_000 };

  it("doubles from the base up to the cap, half of it fixed and half random", () => {
    expect(webhookBackoff(1, config, () => 0)).toBe(5_000);
    expect(webhookBackoff(1, config, () => 1)).toBe(10_000);
    expect(webhookBackoff(3, config, () => 0)).toBe(20_000);
    expect(webhookBackoff(30, config, () => 1)).toBe(3_600_000);
    expect(webhookBackoff(30, config, () => 0)).toBe(1_800_000);
  });

  it("keeps retrying for more than a day with the defaults before the window closes", () => {
    // worst case (always the shortest delay): the attempts still reach past 24 h
    let t = 0;
    let attempts = 0;
    while (t < 24 * 3_600_000) t += webhookBackoff(++attempts, config, () => 0);
    expect(attempts).toBeGreaterThan(20);
  });
});
