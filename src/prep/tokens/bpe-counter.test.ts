import { get_encoding } from "tiktoken";
import { afterAll, describe, expect, it } from "vitest";
import { makeBpeCounter } from "./bpe-counter.js";
import { bpeTable } from "./bpe-table.js";

// OpenAI's tiktoken (Rust, as WASM) is the reference the counts must equal.
const reference = { o200k_base: get_encoding("o200k_base"), cl100k_base: get_encoding("cl100k_base") };
afterAll(() => {
  for (const enc of Object.values(reference)) enc.free();
});

/** Runs of letters, digits, symbols and scripts with no space: single pieces up to thousands of bytes. */
function longPieces(n: number): string[] {
  let seed = 5;
  const next = (m: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return (seed >>> 12) % m;
  };
  const alphabets = [
    "abcdefghijklmnopqrstuvwxyz",
    "aaaaab",
    "ßéèàüöñç",
    "中文字符日本語",
    "😀👍🏽🎉",
    "!?#%&*+=~^",
    "0123456789",
  ];
  return Array.from({ length: n }, () => {
    const alphabet = [...alphabets[next(alphabets.length)]!];
    let text = "";
    for (let i = 200 + next(2000); i > 0; i--) text += alphabet[next(alphabet.length)]!;
    return text;
  });
}

describe("makeBpeCounter", () => {
  for (const name of ["o200k_base", "cl100k_base"] as const) {
    it(`merges long pieces (the heap path) as OpenAI's tiktoken does (${name})`, () => {
      const count = makeBpeCounter(bpeTable(name));
      const texts = [...longPieces(60), "a".repeat(5000), "ab".repeat(3000), `x${"\uFEFF".repeat(400)}`];
      const wrong = texts.filter((t) => count(t) !== reference[name].encode(t, [], []).length);
      expect(wrong.map((t) => t.slice(0, 40))).toEqual([]);
    });
  }

  it("gives the same count from its cache as without it", () => {
    const count = makeBpeCounter(bpeTable("o200k_base"));
    const text = "The engineer's slot on the 12th is free between 8 and 12; reference 4471. ".repeat(50);
    const first = count(text);
    expect(count(text)).toBe(first);
    expect(first).toBe(reference.o200k_base.encode(text, [], []).length);
  });

  it("runs from its own source text, as counting threads evaluate it", () => {
    const fromSource = new Function(`return (${makeBpeCounter.toString()})`)() as typeof makeBpeCounter;
    const text = "Customer: my router's lights are orange — 😀 Ça marche!\r\n";
    expect(fromSource(bpeTable("o200k_base"))(text)).toBe(reference.o200k_base.encode(text, [], []).length);
  });
});
