import { describe, expect, it } from "vitest";
import { LineIndex } from "./legacy-line-index.js";

describe("LineIndex", () => {
  it("maps offsets to lines across chunks", () => {
    const text = "ab\ncd\r\n\nefg\nh";
    const index = new LineIndex();
    index.add(Buffer.from(text.slice(0, 4)));
    index.add(Buffer.from(text.slice(4)));
    const expected = [...text].map((_, i) => text.slice(0, i).split("\n").length);
    expect([...text].map((_, i) => index.lineAt(i))).toEqual(expected);
  });

  it("stays correct after compacting many passed newlines", () => {
    const index = new LineIndex();
    index.add(Buffer.from("x\n".repeat(10_000)));
    expect(index.lineAt(2 * 5000)).toBe(5001);
    expect(index.lineAt(2 * 9999 + 1)).toBe(10_000);
  });
});

describe("LineIndex.lastLine", () => {
  it("counts a final line with or without its newline", () => {
    for (const [text, last] of [
      ["a\nb\n", 2],
      ["a\nb", 2],
      ["", 0],
      ["a", 1],
    ] as const) {
      const index = new LineIndex();
      index.add(Buffer.from(text));
      expect(index.lastLine()).toBe(last);
    }
  });
});
