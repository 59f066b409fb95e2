import { describe, expect, it } from "vitest";
import { fromFloat16Bits, toFloat16Bits } from "./f16.js";

describe("toFloat16Bits", () => {
  it("encodes exact values to their known bit patterns", () => {
    expect(toFloat16Bits(0)).toBe(0x0000);
    expect(toFloat16Bits(-0)).toBe(0x8000);
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001);
  });

  it("saturates overflow to infinity and keeps NaN a NaN", () => {
    expect(toFloat16Bits(1e6)).toBe(0x7c00);
    expect(Number.isNaN(fromFloat16Bits(toFloat16Bits(Number.NaN)))).toBe(true);
  });

  it("round-trips normal values within half precision (11 significant bits)", () => {
    for (const v of [0.1, -0.02, Math.PI, 1e-4, 1234.5]) {
      const back = fromFloat16Bits(toFloat16Bits(v));
      expect(Math.abs(back - v) / Math.abs(v)).toBeLessThanOrEqual(2 ** -11);
    }
  });

  it("rounds subnormal values to the nearest multiple of 2^-24", () => {
    for (const v of [1e-5, -3e-6, 5e-8]) {
      const back = fromFloat16Bits(toFloat16Bits(v));
      expect(Math.abs(back - v)).toBeLessThanOrEqual(2 ** -25);
    }
  });
});
