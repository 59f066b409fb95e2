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
});
