import { get_encoding } from "tiktoken";
import { afterAll, describe, expect, it } from "vitest";
import { CountingThreads } from "./counting-threads.js";
import { TiktokenCounter } from "./tiktoken-counter.js";

// OpenAI's tiktoken (Rust, as WASM) is the reference the counts must equal.
const reference = { o200k_base: get_encoding("o200k_base"), cl100k_base: get_encoding("cl100k_base") };
afterAll(() => {
  for (const enc of Object.values(reference)) enc.free();
});

const PIECES = [
  "word",
  " The",
  "é",
  "中文",
  "😀",
  "123",
  "!",
  "'s",
  " ",
  "  ",
  "\n",
  "\r\n",
  "\t",
  "\u00A0",
  "\u3000",
];
const TRAPS = ["\uFEFF", "\u0085"];

/** Texts mixing scripts and whitespace, a tenth of them holding U+FEFF or U+0085. */
function texts(n: number): string[] {
  let seed = 11;
  const next = (m: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return (seed >>> 12) % m;
  };
  return Array.from({ length: n }, () => {
    let text = "";
    for (let j = next(30); j > 0; j--) {
      const piece = next(10) === 0 ? TRAPS[next(2)]! : PIECES[next(PIECES.length)]!;
      text += next(8) === 0 ? piece.repeat(1 + next(6)) : piece;
    }
    return text;
  });
}

describe("CountingThreads", () => {
  for (const name of ["o200k_base", "cl100k_base"] as const) {
    it(`counts exactly as OpenAI's tiktoken does, U+FEFF and U+0085 included (${name})`, async () => {
      const threads = CountingThreads.start(new TiktokenCounter(name), 2)!;
      try {
        const all = texts(3000);
        expect(all.filter((t) => /[\uFEFF\u0085]/.test(t)).length).toBeGreaterThan(300);
        // Several batches in flight at once, as preparation sends them.
        const batches = [all.slice(0, 1000), all.slice(1000, 2000), all.slice(2000)];
        const counts = (await Promise.all(batches.map((b) => threads.count(b)))).flatMap((c) => [...c]);
        const expected = all.map((t) => reference[name].encode(t, [], []).length);
        const wrong = all.filter((_, i) => counts[i] !== expected[i]).map((t) => JSON.stringify(t));
        expect(wrong.slice(0, 5)).toEqual([]);
        expect(counts).toHaveLength(all.length);
      } finally {
        await threads.close();
      }
    });
  }

  it("is only for tiktoken encodings", () => {
    const other = { name: "gguf", exact: true, count: () => 1, truncate: (t: string) => t };
    expect(CountingThreads.start(other, 2)).toBeNull();
  });
});
