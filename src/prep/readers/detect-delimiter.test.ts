import { describe, expect, it } from "vitest";
import { detectDelimiter, normaliseDelimiter } from "./detect-delimiter.js";

describe("detectDelimiter", () => {
  it("picks the most frequent candidate", () => {
    expect(detectDelimiter("a,b,c")).toBe(",");
    expect(detectDelimiter("a;b;c")).toBe(";");
    expect(detectDelimiter("a\tb\tc")).toBe("\t");
    expect(detectDelimiter("a|b|c")).toBe("|");
  });

  it("ignores delimiters inside quotes", () => {
    expect(detectDelimiter('"a,b,c";"d,e";f')).toBe(";");
  });

  it("falls back to comma for a single column", () => {
    expect(detectDelimiter("transcript")).toBe(",");
  });

  it("normalises names", () => {
    expect(normaliseDelimiter("tab")).toBe("\t");
    expect(normaliseDelimiter("\\t")).toBe("\t");
    expect(normaliseDelimiter(";")).toBe(";");
    expect(normaliseDelimiter(":")).toBeNull();
  });
});
