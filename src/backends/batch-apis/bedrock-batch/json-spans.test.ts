import { describe, expect, it } from "vitest";
import { topLevelValueSpans } from "./json-spans.js";

function values(text: string): Record<string, string> | null {
  const spans = topLevelValueSpans(text);
  if (spans === null) return null;
  return Object.fromEntries([...spans].map(([k, s]) => [k, text.slice(s.start, s.end)]));
}

describe("topLevelValueSpans", () => {
  it("finds each member's exact text, nested braces and quotes in strings included", () => {
    const line =
      '{ "recordId" : "abc", "modelOutput":{"a":[1.0, {"b":"}]\\"{"}],"c":1e3} ,"n":-0.50,"t":true,"z":null,"e\\"k":{}}';
    expect(values(line)).toEqual({
      recordId: '"abc"',
      modelOutput: '{"a":[1.0, {"b":"}]\\"{"}],"c":1e3}',
      n: "-0.50",
      t: "true",
      z: "null",
      'e"k': "{}",
    });
  });

  it("is null for text that is not an object", () => {
    expect(values("[1,2]")).toBeNull();
    expect(values('"x"')).toBeNull();
    expect(values("{}")).toEqual({});
  });
});
