import { describe, expect, it } from "vitest";
import { rawJsonAt } from "./raw-json.js";

describe("rawJsonAt", () => {
  const line =
    '{"id":"x","custom_id":"r\\"1","response":{"status_code":200, "body" : {"n":1.0,"s":"\\u00e9}]","a":[1,{"b":2}]}},"error":null}';

  it("returns a nested member's text exactly as written", () => {
    expect(rawJsonAt(line, ["response", "body"])).toBe('{"n":1.0,"s":"\\u00e9}]","a":[1,{"b":2}]}');
    expect(rawJsonAt(line, ["response", "status_code"])).toBe("200");
    expect(rawJsonAt(line, ["custom_id"])).toBe('"r\\"1"');
    expect(rawJsonAt(line, ["error"])).toBe("null");
  });

  it("answers null for absent keys, non-objects and broken JSON", () => {
    expect(rawJsonAt(line, ["response", "missing"])).toBeNull();
    expect(rawJsonAt(line, ["id", "deeper"])).toBeNull();
    expect(rawJsonAt('{"a":{"b":', ["a", "b"])).toBeNull();
    expect(rawJsonAt("{}", ["a"])).toBeNull();
  });

  it("skips members before the wanted one, strings with escaped quotes and backslashes included", () => {
    const text = '{"skip":{"s":"a\\\\","t":"q\\"}{[","n":[1,2]},"w\\u0061nt" : {"k":"v\\\\"} ,"z":1}';
    expect(rawJsonAt(text, ["want"])).toBe('{"k":"v\\\\"}');
    expect(rawJsonAt(text, ["want", "k"])).toBe('"v\\\\"');
    expect(rawJsonAt(text, ["z"])).toBe("1");
    expect(rawJsonAt(text, ["skip", "n"])).toBe("[1,2]");
  });

  it("finds a member of an object whose end is never read (a line cut after it)", () => {
    expect(rawJsonAt('{"result":{"type":"succeeded","message":{"a":1}', ["result", "type"])).toBe(
      '"succeeded"',
    );
    expect(rawJsonAt('{"result":{"type":"succeeded","message":{"a":1', ["result", "message"])).toBeNull();
  });
});
