import { validateHeaderValue } from "node:http";
import { describe, expect, it } from "vitest";
import { attachmentDisposition, MAX_NAME_BYTES, truncateUtf8 } from "./content-disposition.js";

/** Splits the header back into its two names the way a client reads them. */
function parse(header: string): { fallback: string; name: string } {
  const m = /^attachment; filename="([^"\\]*)"; filename\*=UTF-8''([A-Za-z0-9!#$&+\-.^_`|~%]*)$/.exec(header);
  if (!m) throw new Error(`not an RFC 6266 attachment header: ${header}`);
  return { fallback: m[1]!, name: decodeURIComponent(m[2]!) };
}

const hostile = [
  "in.jsonl",
  "données été.jsonl",
  "数据集.jsonl",
  "🎉 party 🎉.jsonl",
  'quote"d.jsonl',
  "back\\slash.jsonl",
  "cr\rlf\n.jsonl",
  "nul\0byte.jsonl",
  "tab\tdel\x7f.jsonl",
  "100% real.jsonl",
  "semi;colon=equals'tick*.jsonl",
  "",
  "   ",
  "../../etc/passwd",
];

describe("attachmentDisposition", () => {
  it.each(hostile)("gives Node a valid header whose filename* decodes to the exact name: %j", (name) => {
    const header = attachmentDisposition(name);
    expect(() => validateHeaderValue("content-disposition", header)).not.toThrow();
    expect(header).toMatch(/^[\x20-\x7e]+$/);
    const { fallback, name: decoded } = parse(header);
    expect(decoded).toBe(name === "" ? "download" : name);
    expect(fallback).toMatch(/^[\x20-\x7e]+$/);
    expect(fallback).not.toMatch(/["\\%]/);
  });

  it("keeps printable ASCII names as they are in the fallback", () => {
    expect(attachmentDisposition("in.jsonl")).toBe(
      `attachment; filename="in.jsonl"; filename*=UTF-8''in.jsonl`,
    );
    expect(parse(attachmentDisposition("données.jsonl")).fallback).toBe("donn_es.jsonl");
    expect(parse(attachmentDisposition("🎉🎉")).fallback).toBe("download");
  });

  it("writes a lone surrogate as U+FFFD instead of throwing", () => {
    expect(parse(attachmentDisposition("a\ud800b.jsonl")).name).toBe("a\ufffdb.jsonl");
  });

  it("bounds very long names, keeping the extension and whole characters", () => {
    for (const name of [`${"x".repeat(100_000)}.jsonl`, `${"🎉".repeat(10_000)}.jsonl`, "é".repeat(50_000)]) {
      const header = attachmentDisposition(name);
      expect(() => validateHeaderValue("content-disposition", header)).not.toThrow();
      expect(header.length).toBeLessThan(4 * MAX_NAME_BYTES);
      const decoded = parse(header).name;
      expect(Buffer.byteLength(decoded)).toBeLessThanOrEqual(MAX_NAME_BYTES);
      expect(decoded).not.toContain("\ufffd");
      expect(name.startsWith(decoded.replace(/\.jsonl$/, ""))).toBe(true);
      if (name.endsWith(".jsonl")) expect(decoded.endsWith(".jsonl")).toBe(true);
    }
  });

  it("truncateUtf8 leaves short names alone", () => {
    expect(truncateUtf8("a.jsonl", 255)).toBe("a.jsonl");
  });
});
