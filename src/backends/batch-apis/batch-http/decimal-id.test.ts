import { describe, expect, it } from "vitest";
import { decimalIdAt } from "./decimal-id.js";

describe("decimalIdAt", () => {
  it("reads 1 to 15 digits to the end, as /^[0-9]{1,15}$/ and Number would", () => {
    const cases = ["0", "7", "007", "123456789012345", "1234567890123456", "", "1a", "-1", "1.0", " 1", "١"];
    for (const c of cases) {
      const expected = /^[0-9]{1,15}$/.test(c) ? Number(c) : null;
      expect(decimalIdAt(`key-${c}`, 4), c).toBe(expected);
    }
  });
});
