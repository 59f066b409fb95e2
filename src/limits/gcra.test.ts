import { describe, expect, it } from "vitest";
import { Gcra } from "./gcra.js";

describe("Gcra", () => {
  it("lets a burst through, then paces at the rate", () => {
    const g = new Gcra(600, 1000); // 10/s, 1 s of burst
    let granted = 0;
    while (g.take(1, 0) === 0) granted++;
    expect(granted).toBe(10); // one second of burst at 10/s
    expect(g.take(1, 0)).toBe(100);
    expect(g.take(1, 100)).toBe(0);
    expect(g.take(1, 100)).toBeGreaterThan(0);
  });

  it("holds the long-run rate to the limit", () => {
    const g = new Gcra(6000, 1000);
    let granted = 0;
    for (let t = 0; t < 60_000; t += 5) while (g.take(1, t) === 0) granted++;
    expect(granted).toBeGreaterThanOrEqual(6000);
    expect(granted).toBeLessThanOrEqual(6000 + 101);
  });

  it("counts tokens and takes back what an estimate overcharged", () => {
    const g = new Gcra(60_000, 0); // 1,000 tokens/s
    expect(g.take(500, 0)).toBe(0);
    expect(g.take(500, 0)).toBe(500);
    g.adjust(-400, 0); // the first request used 100 tokens, not 500
    expect(g.take(500, 0)).toBe(100);
  });

  it("never starves a request bigger than the burst", () => {
    const g = new Gcra(60, 1000);
    expect(g.take(5, 0)).toBe(0);
    expect(g.take(1, 0)).toBeGreaterThan(0);
  });
});
