import { getEncoding } from "js-tiktoken";
import { describe, expect, it } from "vitest";
import { BytesPerTokenEstimator } from "./bytes-per-token-estimator.js";
import { countRequestTokens } from "./request-tokens.js";
import { encodingForModel, selectTokenCounter } from "./select-counter.js";
import { TiktokenCounter } from "./tiktoken-counter.js";

const TEXT = "Customer: my router's lights are orange — the cable was in the yellow port. 😀 Ça marche!";

describe("TiktokenCounter", () => {
  it("counts exactly as js-tiktoken's full build does", () => {
    for (const name of ["o200k_base", "cl100k_base"] as const) {
      expect(new TiktokenCounter(name).count(TEXT)).toBe(getEncoding(name).encode(TEXT).length);
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
