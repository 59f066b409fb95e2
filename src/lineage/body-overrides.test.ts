import { describe, expect, it } from "vitest";
import { applyOverrides } from "./body-overrides.js";

describe("applyOverrides", () => {
  it("replaces only the named value's text and keeps every other byte", () => {
    const body = '{"model":"m1", "max_tokens" : 16,"n":12345678901234567890,"x":1.0,"s":"\\u00e9"}';
    expect(applyOverrides(body, [["max_tokens", "2048"]])).toBe(
      '{"model":"m1", "max_tokens" : 2048,"n":12345678901234567890,"x":1.0,"s":"\\u00e9"}',
    );
  });

  it("adds a missing field before the closing brace, after trailing spaces", () => {
    expect(applyOverrides('{"model":"m"} ', [["max_tokens", "9"]])).toBe('{"model":"m","max_tokens":9} ');
    expect(applyOverrides("{ }", [["a", "1"]])).toBe('{ "a":1}');
    expect(
      applyOverrides("{}", [
        ["a", "1"],
        ["b", '"x"'],
      ]),
    ).toBe('{"a":1,"b":"x"}');
  });

  it("edits several fields, present and absent, in one pass", () => {
    const body = '{"model":"old","messages":[{"role":"user","content":"hi"}],"temperature":1}';
    const out = applyOverrides(body, [
      ["temperature", "0"],
      ["model", '"new"'],
      ["seed", "7"],
    ]);
    expect(out).toBe('{"model":"new","messages":[{"role":"user","content":"hi"}],"temperature":0,"seed":7}');
    expect(JSON.parse(out)).toEqual({
      model: "new",
      messages: [{ role: "user", content: "hi" }],
      temperature: 0,
      seed: 7,
    });
  });

  it("replaces the last of a repeated key, the one JSON.parse reads", () => {
    const out = applyOverrides('{"max_tokens":1,"max_tokens":2}', [["max_tokens", "3"]]);
    expect(out).toBe('{"max_tokens":1,"max_tokens":3}');
    expect(JSON.parse(out).max_tokens).toBe(3);
  });

  it("never touches nested fields of the same name", () => {
    const body = '{"metadata":{"max_tokens":5},"max_tokens":6}';
    expect(applyOverrides(body, [["max_tokens", "7"]])).toBe('{"metadata":{"max_tokens":5},"max_tokens":7}');
  });

  it("returns the body itself when there is nothing to change", () => {
    const body = '{"a" :  1}';
    expect(applyOverrides(body, [])).toBe(body);
  });

  it("refuses a body that is not a JSON object", () => {
    expect(() => applyOverrides("[1,2]", [["a", "1"]])).toThrow(/not a JSON object/);
    expect(() => applyOverrides("{", [["a", "1"]])).toThrow(/not a JSON object/);
  });
});
