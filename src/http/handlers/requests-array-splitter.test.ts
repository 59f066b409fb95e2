import { describe, expect, it } from "vitest";
import { BodyShapeError, RequestsArraySplitter } from "./requests-array-splitter.js";

/** Feeds `text` in chunks of `size` bytes and returns every request's text. */
function split(text: string, size = 7, max = 1 << 20): string[] {
  const s = new RequestsArraySplitter(max);
  const bytes = Buffer.from(text);
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += size) {
    for (const el of s.push(bytes.subarray(i, i + size))) out.push(el.toString("utf8"));
  }
  s.end();
  return out;
}

describe("RequestsArraySplitter", () => {
  const a = '{"custom_id":"a","params":{"s":"}]\\"{[","n":[1,{"x":2}]}}';
  const b = '{ "custom_id" : "b", "params" : { "é" : "ü" } }';

  it.each([1, 2, 7, 1000])(
    "splits the requests array element by element, exactly (chunks of %i bytes)",
    (size) => {
      expect(split(`{"requests":[${a},${b}]}`, size)).toEqual([a, b]);
      expect(split(` \n{ "requests" :\n [ ${a} ,\r\n ${b} ] } \n`, size)).toEqual([a, b]);
    },
  );

  it("accepts an empty array (the caller refuses it with Anthropic's message)", () => {
    expect(split('{"requests":[]}')).toEqual([]);
  });

  it.each([
    ["[]", "must be a JSON object"],
    ['{"requests":{}}', "requests: Input should be a valid list"],
    ['{"requests":[1]}', "requests.0: Input should be a valid dictionary"],
    [
      `{"requests":[${'{"custom_id":"a","params":{}}'},"x"]}`,
      "requests.1: Input should be a valid dictionary",
    ],
    ['{"requests":[],"model":"x"}', "model: Extra inputs are not permitted"],
    ['{"requests":[],"requests":[]}', "appears more than once"],
    ["{}", "requests: Field required"],
    ['{"requests":[{"a":1}', "Unexpected end of JSON input"],
    ['{"requests":[{"a":1},]}', "valid dictionary"],
    ['{"requests":[{"a":1}] x', "expected ',' or '}'"],
    ['{"requests":[]} x', "unexpected text after the JSON object"],
    ['{"requests" []}', "expected ':'"],
  ])("refuses %s", (text, message) => {
    expect(() => split(text)).toThrow(BodyShapeError);
    expect(() => split(text)).toThrow(message);
  });

  it("bounds one request's size, naming it", () => {
    const big = `{"custom_id":"a","params":{"t":"${"x".repeat(100)}"}}`;
    expect(() => split(`{"requests":[{"custom_id":"z","params":{}},${big}]}`, 16, 64)).toThrow(
      "requests.1: a request may be at most 64 bytes",
    );
  });
});
