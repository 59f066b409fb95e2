import { Tiktoken } from "js-tiktoken/lite";
import { makeBpeCounter } from "./bpe-counter.js";
import { type BpeTable, bpeTable, referencePattern, tiktokenRanks } from "./bpe-table.js";
import type { TokenCounter } from "./token-counter.js";

export type TiktokenEncodingName = "o200k_base" | "cl100k_base";

const exactCache = new Map<TiktokenEncodingName, Tiktoken>();
const countCache = new Map<TiktokenEncodingName, (text: string) => number>();

/**
 * Exact counts for OpenAI models, with the ranks shipped inside js-tiktoken (no download).
 * Counting goes through Docket's own BPE counter over a shared table (`bpe-counter.ts`: 2–3×
 * gpt-tokenizer's speed, one copy of the ranks for every thread, and the reference's `\s`, so
 * texts holding U+FEFF or U+0085 need no detour); truncation, which needs the tokens themselves,
 * through js-tiktoken with the split pattern corrected the same way. Each is built on first use:
 * commands that never count exactly should not pay for the ranks.
 */
export class TiktokenCounter implements TokenCounter {
  readonly exact = true;
  private counter: ((text: string) => number) | undefined;
  private exactEncoder: Tiktoken | undefined;

  constructor(readonly name: TiktokenEncodingName) {}

  /** The shared table counting threads read (built on first call). */
  get table(): BpeTable {
    return bpeTable(this.name);
  }

  count(text: string): number {
    if (!this.counter) {
      let counter = countCache.get(this.name);
      if (!counter) {
        counter = makeBpeCounter(this.table);
        countCache.set(this.name, counter);
      }
      this.counter = counter;
    }
    return this.counter(text);
  }

  /** The exact path, built on first need: most datasets never truncate. */
  private get encoder(): Tiktoken {
    if (this.exactEncoder) return this.exactEncoder;
    let encoder = exactCache.get(this.name);
    if (!encoder) {
      const ranks = tiktokenRanks(this.name);
      encoder = new Tiktoken({ ...ranks, pat_str: referencePattern(ranks.pat_str) });
      exactCache.set(this.name, encoder);
    }
    this.exactEncoder = encoder;
    return encoder;
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
