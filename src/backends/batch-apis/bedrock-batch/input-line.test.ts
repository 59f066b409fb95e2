import { describe, expect, it } from "vitest";
import { bedrockInputLine } from "./input-line.js";

describe("bedrockInputLine", () => {
  it("puts the body in byte for byte", () => {
    const body = '{"inputText":"Roses are red","x":1.0}';
    expect(bedrockInputLine("00000000001", body)).toBe(`{"recordId":"00000000001","modelInput":${body}}`);
  });

  it("keeps a pretty-printed body's value on one line", () => {
    const body = '{\r\n  "inputText": "a\\nb",\n  "n": 1\r}';
    const line = bedrockInputLine("00000000002", body);
    expect(line).not.toMatch(/[\r\n]/);
    expect(JSON.parse(line).modelInput).toEqual(JSON.parse(body));
  });
});
