import { getEncoding } from "js-tiktoken";
import { get_encoding } from "tiktoken";
import { afterAll, describe, expect, it } from "vitest";
import { BytesPerTokenEstimator } from "./bytes-per-token-estimator.js";
import { countRequestTokens } from "./request-tokens.js";
import { encodingForModel, selectTokenCounter } from "./select-counter.js";
import { TiktokenCounter } from "./tiktoken-counter.js";

const TEXT = "Customer: my router's lights are orange — the cable was in the yellow port. 😀 Ça marche!";

// OpenAI's tiktoken (Rust, as WASM) is the reference the counts must equal.
const reference = { o200k_base: get_encoding("o200k_base"), cl100k_base: get_encoding("cl100k_base") };
afterAll(() => {
  for (const enc of Object.values(reference)) enc.free();
});
const referenceCount = (name: keyof typeof reference, text: string) =>
  reference[name].encode(text, [], []).length;

/** Pieces whose mixes exercise the split regex: scripts, emoji, every kind of whitespace, U+FEFF and U+0085. */
const PIECES = [
  "a",
  "Z",
  "word",
  "The",
  "é",
  "ß",
  "İ",
  "\u0301",
  "中",
  "文字",
  "😀",
  "👍🏽",
  "1",
  "234",
  "!",
  "'s",
  "'",
  ".",
  "/",
  " ",
  "  ",
  "\n",
  "\r\n",
  "\t",
  "\u000B",
  "\u00A0",
  "\u3000",
  "\u2028",
  "\u200B",
  "\uFEFF",
  "\u0085",
  "<|endoftext|>",
  '{"k": [1, 2]}',
];
function* generatedTexts(n: number): Generator<string> {
  let seed = 42;
  const next = (m: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % m;
  };
  for (let i = 0; i < n; i++) {
    let text = "";
    for (let j = next(40); j > 0; j--) {
      const piece = PIECES[next(PIECES.length)]!;
      text += next(10) === 0 ? piece.repeat(1 + next(40)) : piece; // long runs too
    }
    yield text;
  }
}

describe("TiktokenCounter", () => {
  it("counts exactly as OpenAI's tiktoken does, U+FEFF and U+0085 included", () => {
    for (const name of ["o200k_base", "cl100k_base"] as const) {
      const counter = new TiktokenCounter(name);
      const mismatches: string[] = [];
      for (const text of [TEXT, "a\uFEFFb", "\uFEFF\uFEFF hi", "x \u0085\u0085 y", ...generatedTexts(3000)]) {
        if (counter.count(text) !== referenceCount(name, text)) mismatches.push(JSON.stringify(text));
      }
      expect(mismatches.slice(0, 5)).toEqual([]);
    }
  });

  it("truncates texts holding U+FEFF or U+0085 to a prefix the reference counts within budget", () => {
    const counter = new TiktokenCounter("o200k_base");
    const text = "a\uFEFF\uFEFF b \u0085\u0085 c\uFEFF 😀 done";
    for (let budget = 0; budget <= counter.count(text); budget++) {
      const cut = counter.truncate(text, budget);
      expect(text.startsWith(cut)).toBe(true);
      expect(referenceCount("o200k_base", cut)).toBeLessThanOrEqual(budget);
    }
  });

  it("truncates to a prefix that fits, for every budget", () => {
    const counter = new TiktokenCounter("o200k_base");
    const total = counter.count(TEXT);
    for (let budget = 0; budget <= total; budget++) {
      const cut = counter.truncate(TEXT, budget);
      expect(TEXT.startsWith(cut)).toBe(true);
      expect(counter.count(cut)).toBeLessThanOrEqual(budget);
    }
    expect(counter.truncate(TEXT, total)).toBe(TEXT);
  });

  it("counts special-token text as plain text", () => {
    expect(new TiktokenCounter("cl100k_base").count("<|endoftext|>")).toBeGreaterThan(1);
  });
});

describe("BytesPerTokenEstimator", () => {
  it("is ceil(utf8 bytes / 3) and truncates on character boundaries", () => {
    const c = new BytesPerTokenEstimator();
    expect(c.count("abcd")).toBe(2);
    expect(c.count("é")).toBe(1);
    expect(c.count("")).toBe(0);
    const cut = c.truncate("aé😀b", 2); // 6 bytes: a(1) é(2) 😀(4) does not fit
    expect(cut).toBe("aé");
    expect(c.truncate("abc", 5)).toBe("abc");
  });
});

describe("selectTokenCounter", () => {
  it("maps model families to encodings", () => {
    expect(encodingForModel("gpt-4o-mini")).toBe("o200k_base");
    expect(encodingForModel("gpt-4.1-nano")).toBe("o200k_base");
    expect(encodingForModel("o3-mini")).toBe("o200k_base");
    expect(encodingForModel("gpt-5")).toBe("o200k_base");
    expect(encodingForModel("gpt-4-turbo")).toBe("cl100k_base");
    expect(encodingForModel("gpt-3.5-turbo")).toBe("cl100k_base");
    expect(encodingForModel("text-embedding-3-large")).toBe("cl100k_base");
    expect(encodingForModel("claude-sonnet-4-5")).toBeNull();
  });

  it("prefers an explicit choice, then a provider, then the family, then the estimate", () => {
    const fromGguf = { name: "gguf", exact: true, count: () => 1, truncate: (t: string) => t };
    expect(selectTokenCounter("gpt-4o", "estimate").name).toMatch(/^estimate/);
    expect(selectTokenCounter("my-model.gguf", "auto", () => fromGguf)).toBe(fromGguf);
    expect(selectTokenCounter("gpt-4o", "auto", () => null).name).toBe("o200k_base");
    expect(selectTokenCounter("local-dummy").name).toMatch(/^estimate/);
  });
});

describe("countRequestTokens", () => {
  it("adds OpenAI's chat overhead: 3 per message, its role, and 3 to prime the reply", () => {
    const counter = new TiktokenCounter("o200k_base");
    const enc = getEncoding("o200k_base");
    const messages = [
      { role: "system" as const, content: "Be brief." },
      { role: "user" as const, content: TEXT },
    ];
    const expected =
      3 + messages.reduce((n, m) => n + 3 + enc.encode(m.role).length + enc.encode(m.content).length, 0);
    expect(
      countRequestTokens({ endpoint: "/v1/chat/completions", body: { model: "gpt-4o", messages } }, counter),
    ).toBe(expected);
    expect(
      countRequestTokens({ endpoint: "/v1/embeddings", body: { model: "e", input: TEXT } }, counter),
    ).toBe(enc.encode(TEXT).length);
  });
});
