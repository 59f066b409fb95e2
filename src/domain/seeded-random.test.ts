import { describe, expect, it } from "vitest";
import { SeededRandom, seededRandom } from "./seeded-random.js";

describe("SeededRandom", () => {
  it("repeats the same sequence for the same seed and differs for another", () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const c = new SeededRandom(43);
    const seqA = Array.from({ length: 8 }, () => a.next());
    const seqB = Array.from({ length: 8 }, () => b.next());
    const seqC = Array.from({ length: 8 }, () => c.next());
    expect(seqA).toEqual(seqB);
    expect(seqA).not.toEqual(seqC);
  });

  it("stays within the requested ranges", () => {
    const r = new SeededRandom(7);
    for (let i = 0; i < 1000; i++) {
      const x = r.symmetric(0.5);
      expect(x).toBeGreaterThanOrEqual(-0.5);
      expect(x).toBeLessThan(0.5);
      const n = r.int(-127, 127);
      expect(Number.isInteger(n) && n >= -127 && n <= 127).toBe(true);
    }
  });
});

describe("seededRandom", () => {
  it("draws mulberry32's sequence, which the fake backend's answers and the dummy models depend on", () => {
    const next = seededRandom(42);
    expect(Array.from({ length: 3 }, () => next())).toEqual([
      0.6011037519201636, 0.44829055899754167, 0.8524657934904099,
    ]);
    const draws = new SeededRandom(42);
    expect([draws.next(), draws.next()]).toEqual([0.6011037519201636, 0.44829055899754167]);
  });
});
