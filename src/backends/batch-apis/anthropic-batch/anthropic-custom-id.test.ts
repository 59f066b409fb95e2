import { describe, expect, it } from "vitest";
import { parseWireKey, placeholderKey, stampTag, tagOf } from "./anthropic-custom-id.js";

describe("anthropic-batch custom ids", () => {
  it("stamps a provider job's tag over the placeholder without changing the length", () => {
    const encoded = `{"custom_id":"${placeholderKey(123)}","params":{"a":1}}`;
    const tag = tagOf("pj_abc");
    const stamped = stampTag(encoded, tag);
    expect(stamped).toBe(`{"custom_id":"${tag}-123","params":{"a":1}}`);
    expect(Buffer.byteLength(stamped)).toBe(Buffer.byteLength(encoded));
    expect(parseWireKey(`${tag}-123`)).toEqual({ tag, recordId: 123 });
    expect(`${tag}-123`).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
  });

  it("gives different tokens different tags and refuses what it did not encode", () => {
    expect(tagOf("pj_1")).not.toBe(tagOf("pj_2"));
    expect(tagOf("pj_1")).toBe(tagOf("pj_1"));
    expect(() => stampTag('{"custom_id":"mine","params":{}}', tagOf("t"))).toThrow(
      /not encoded by this client/,
    );
    expect(parseWireKey("req-1")).toBeNull();
    expect(parseWireKey(placeholderKey(5))).toBeNull();
  });

  it("reads exactly the custom ids `<16 lowercase hex>-<1 to 15 digits>`", () => {
    const tag = "0123456789abcdef";
    const cases = [
      `${tag}-1`,
      `${tag}-007`,
      `${tag}-123456789012345`,
      `${tag}-1234567890123456`,
      `${tag}-`,
      `${tag}-1x`,
      `${tag}_1`,
      `0123456789ABCDEF-1`,
      `0123456789abcdeg-1`,
      `${tag}0-1`,
      `${tag.slice(1)}-1`,
      "",
    ];
    for (const c of cases) {
      const m = /^([0-9a-f]{16})-([0-9]{1,15})$/.exec(c);
      expect(parseWireKey(c), c).toEqual(m ? { tag: m[1], recordId: Number(m[2]) } : null);
    }
  });
});
