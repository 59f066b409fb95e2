import { Tiktoken, type TiktokenBPE } from "js-tiktoken/lite";
import cl100k from "js-tiktoken/ranks/cl100k_base";
import o200k from "js-tiktoken/ranks/o200k_base";
import type { TokenCounter } from "./token-counter.js";

export type TiktokenEncodingName = "o200k_base" | "cl100k_base";

const RANKS: Record<TiktokenEncodingName, TiktokenBPE> = { o200k_base: o200k, cl100k_base: cl100k };
const cache = new Map<TiktokenEncodingName, Tiktoken>();

/** Exact counts for OpenAI models, from the ranks shipped inside js-tiktoken (no download). */
export class TiktokenCounter implements TokenCounter {
  readonly exact = true;
  private readonly encoder: Tiktoken;

  constructor(readonly name: TiktokenEncodingName) {
    let encoder = cache.get(name);
    if (!encoder) {
      encoder = new Tiktoken(RANKS[name]);
      cache.set(name, encoder);
    }
    this.encoder = encoder;
  }

  count(text: string): number {
    // Text in a dataset is data: a literal "<|endoftext|>" is counted as ordinary characters.
    return this.encoder.encode(text, [], []).length;
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
