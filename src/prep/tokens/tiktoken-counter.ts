import { createRequire } from "node:module";
import { dirname } from "node:path";
import { Tiktoken, type TiktokenBPE } from "js-tiktoken/lite";
import cl100k from "js-tiktoken/ranks/cl100k_base";
import o200k from "js-tiktoken/ranks/o200k_base";
import type { TokenCounter } from "./token-counter.js";

export type TiktokenEncodingName = "o200k_base" | "cl100k_base";

/**
 * Unicode White_Space, which `\s` means in the reference tokenizer's regex (OpenAI's tiktoken,
 * Rust). JavaScript's `\s` differs: it also matches U+FEFF and does not match U+0085.
 */
const WHITE_SPACE = String.raw`\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000`;
/** Texts holding a character on which the two meanings of `\s` disagree. */
export const REGEX_TRAP = /[\uFEFF\u0085]/;

/** The encoding's split pattern with `\s`/`\S` spelled out as the reference means them. */
function withReferenceWhitespace(ranks: TiktokenBPE): TiktokenBPE {
  const pat_str = ranks.pat_str
    .replaceAll(String.raw`[^\s`, `[^${WHITE_SPACE}`)
    .replaceAll(String.raw`\s`, `[${WHITE_SPACE}]`)
    .replaceAll(String.raw`\S`, `[^${WHITE_SPACE}]`);
  return { ...ranks, pat_str };
}

const RANKS: Record<TiktokenEncodingName, TiktokenBPE> = { o200k_base: o200k, cl100k_base: cl100k };

interface FastCounter {
  countTokens(text: string, options: { disallowedSpecial: Set<string> }): number;
}

/** Where gpt-tokenizer's CommonJS build is, for threads that load it themselves. */
export function fastCounterDir(): string {
  return dirname(requireCjs.resolve("gpt-tokenizer/cjs/GptEncoding"));
}
/** Text in a dataset is data: a literal "<|endoftext|>" is counted as ordinary characters. */
const AS_TEXT = { disallowedSpecial: new Set<string>() };

const exactCache = new Map<TiktokenEncodingName, Tiktoken>();
const fastCache = new Map<TiktokenEncodingName, FastCounter>();
// Loaded on first use, synchronously (counters are synchronous): each encoding costs a few
// hundred ms and tens of MB, which commands that never count exactly should not pay.
const requireCjs = createRequire(import.meta.url);

/**
 * Exact counts for OpenAI models, with the ranks shipped inside the packages (no download).
 * Counting goes through gpt-tokenizer (5–6× js-tiktoken's speed, same counts); texts holding
 * U+FEFF or U+0085, which JavaScript's regexes split differently from the reference, and
 * truncation go through js-tiktoken with the split pattern corrected to the reference's.
 */
export class TiktokenCounter implements TokenCounter {
  readonly exact = true;
  private fastCounter: FastCounter | undefined;
  private exactEncoder: Tiktoken | undefined;

  constructor(readonly name: TiktokenEncodingName) {}

  /** Loaded on first count: when other threads count, this thread need not hold the encoding. */
  private get fast(): FastCounter {
    if (this.fastCounter) return this.fastCounter;
    let fast = fastCache.get(this.name);
    if (!fast) {
      fast = requireCjs(`gpt-tokenizer/cjs/encoding/${this.name}`) as FastCounter;
      fastCache.set(this.name, fast);
    }
    this.fastCounter = fast;
    return fast;
  }

  /** The exact path, built on first need: most datasets never take it. */
  private get encoder(): Tiktoken {
    if (this.exactEncoder) return this.exactEncoder;
    let encoder = exactCache.get(this.name);
    if (!encoder) {
      encoder = new Tiktoken(withReferenceWhitespace(RANKS[this.name]));
      exactCache.set(this.name, encoder);
    }
    this.exactEncoder = encoder;
    return encoder;
  }

  count(text: string): number {
    if (REGEX_TRAP.test(text)) return this.encoder.encode(text, [], []).length;
    return this.fast.countTokens(text, AS_TEXT);
  }

  truncate(text: string, maxTokens: number): string {
    const tokens = this.encoder.encode(text, [], []);
    if (tokens.length <= maxTokens) return text;
    let cut = this.encoder.decode(tokens.slice(0, Math.max(0, maxTokens)));
    // A cut inside a multi-byte character decodes to U+FFFD; drop the broken tail.
    while (cut.endsWith("\uFFFD") && !text.startsWith(cut)) cut = cut.slice(0, -1);
    // Re-encoding the prefix can merge differently; shrink until it really fits.
    while (cut.length > 0 && this.encoder.encode(cut, [], []).length > maxTokens) cut = cut.slice(0, -1);
    return cut;
  }
}
