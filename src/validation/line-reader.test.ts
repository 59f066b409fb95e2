import { describe, expect, it } from "vitest";
import { type InputLine, readInputLines } from "./line-reader.js";
import { firstInvalidUtf8 } from "./utf8.js";

async function collect(chunks: Buffer[], max = 1024): Promise<InputLine[]> {
  async function* src() {
    for (const c of chunks) yield c;
  }
  const out: InputLine[] = [];
  for await (const batch of readInputLines(src(), max)) out.push(...batch);
  return out;
}

/** The same bytes cut into pieces of `size` (1 = byte by byte). */
function cut(b: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size));
  return out;
}

const texts = (ls: InputLine[]) =>
  ls.map((l) =>
    "text" in l ? l.text : "bytes" in l ? `bytes:${l.bytes.toString("utf8")}` : `!${l.problem.code}`,
  );

describe("readInputLines", () => {
  it("splits on LF, strips one CR before it, and keeps a lone CR inside the line", async () => {
    const file = Buffer.from("a\r\nb\rc\nd\r\r\n\ne");
    for (const size of [1, 2, 3, 5, file.length]) {
      expect(texts(await collect(cut(file, size)))).toEqual(["a", "b\rc", "d\r", "", "e"]);
    }
  });

  it("skips a UTF-8 BOM at the start of the file only", async () => {
    const bom = "\uFEFF";
    for (const size of [1, 2, 4, 100]) {
      expect(texts(await collect(cut(Buffer.from(`${bom}x\n${bom}y\n`), size)))).toEqual(["x", `${bom}y`]);
    }
    expect(texts(await collect([Buffer.from(bom)]))).toEqual([]);
    expect(texts(await collect([Buffer.from("\n")]))).toEqual([""]);
    expect(texts(await collect([Buffer.from("é")]))).toEqual(["é"]);
  });

  it("names the line and byte offset of invalid UTF-8, in any chunking", async () => {
    const file = Buffer.concat([
      Buffer.from("ok\né\nab"),
      Buffer.from([0xc3, 0x28]),
      Buffer.from("cd\nfine\n"),
    ]);
    for (const size of [1, 3, 7, file.length]) {
      const lines = await collect(cut(file, size));
      expect(texts(lines)).toEqual(["ok", "é", "!invalid_utf8", "fine"]);
      const bad = lines[2] as Extract<InputLine, { problem: unknown }>;
      expect(bad.line).toBe(3);
      expect(bad.problem.message).toContain(
        "bad byte 0xc3 at byte offset 2 of the line (offset 8 in the file)",
      );
    }
  });

  it("refuses a line over the limit without buffering it, and goes on after it", async () => {
    const file = Buffer.from(`short\n${"x".repeat(50)}\nnext\n${"y".repeat(40)}`);
    for (const size of [1, 4, 16, file.length]) {
      const lines = await collect(cut(file, size), 20);
      expect(texts(lines)).toEqual(["short", "!line_too_long", "next", "!line_too_long"]);
      expect((lines[1] as { problem: { message: string } }).problem.message).toContain("50 bytes long");
    }
    // Exactly at the limit is fine, CR excluded.
    expect(texts(await collect([Buffer.from(`${"z".repeat(20)}\r\n`)], 20))).toEqual(["z".repeat(20)]);
  });

  it("reads random files identically whatever the chunk sizes", async () => {
    let seed = 5;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const alphabet = [0x61, 0x0a, 0x0d, 0xc3, 0xa9, 0xef, 0xbb, 0xbf, 0x80, 0xff, 0x20];
    for (let n = 0; n < 3000; n++) {
      const max = n % 2 === 0 ? 12 : 1000;
      const bytes = Buffer.from(
        Array.from(
          { length: Math.floor(rand() * 60) },
          () => alphabet[Math.floor(rand() * alphabet.length)]!,
        ),
      );
      const whole = await collect([bytes], max);
      const pieces = await collect(cut(bytes, 1 + Math.floor(rand() * 7)), max);
      expect(pieces).toEqual(whole);
    }
  });
});

describe("readInputLines with bytesAbove", () => {
  async function collectBytes(chunks: Buffer[], max: number, bytesAbove: number): Promise<InputLine[]> {
    async function* src() {
      for (const c of chunks) yield c;
    }
    const out: InputLine[] = [];
    for await (const batch of readInputLines(src(), max, { bytesAbove })) out.push(...batch);
    return out;
  }

  it("hands long spanning lines over as their bytes, under the same rules, each its own buffer", async () => {
    const long1 = `${"é".repeat(20)}\r`;
    const long2 = "z".repeat(30);
    const file = Buffer.from(`${long1}\r\nshort\n${long2}\n${"q".repeat(80)}\nok\n${long2}\n`);
    const bad = Buffer.concat([Buffer.from("a".repeat(30)), Buffer.from([0xff]), Buffer.from("\n")]);
    for (const size of [1, 7, 16]) {
      const lines = await collectBytes([...cut(file, size), ...cut(bad, size)], 64, 20);
      // Lines within one chunk stay text; a spanning one over 20 bytes comes as bytes.
      expect(texts(lines)).toEqual([
        `bytes:${long1}`,
        "short",
        `bytes:${long2}`,
        "!line_too_long",
        "ok",
        `bytes:${long2}`,
        "!invalid_utf8",
      ]);
      // Every handed-over line keeps its bytes after later lines were read (no shared buffer).
      expect((lines[0] as { bytes: Buffer }).bytes.toString("utf8")).toBe(long1);
      expect((lines[2] as { bytes: Buffer }).bytes.toString("utf8")).toBe(long2);
    }
    // A short spanning line is text as before.
    expect(texts(await collectBytes(cut(Buffer.from("abc\n"), 1), 64, 20))).toEqual(["abc"]);
  });
});

describe("firstInvalidUtf8", () => {
  it.each([
    [[0x61, 0x62], 2],
    [[0x61, 0xc0, 0x80], 1], // overlong
    [[0xed, 0xa0, 0x80], 0], // surrogate
    [[0xf4, 0x90, 0x80, 0x80], 0], // past U+10FFFF
    [[0x61, 0xe2, 0x82], 1], // cut short
    [[0xf0, 0x9f, 0x98, 0x80, 0xff], 4],
  ])("%j → %i", (bytes, at) => {
    expect(firstInvalidUtf8(Uint8Array.from(bytes))).toBe(at);
  });
});
