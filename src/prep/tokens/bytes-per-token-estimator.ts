import type { TokenCounter } from "./token-counter.js";

/**
 * A conservative estimate for models whose tokenizer we do not ship: one token per 3 bytes of
 * UTF-8. English text averages about 4 bytes per token in OpenAI's and Anthropic's tokenizers,
 * so this over-counts by roughly a quarter, which errs toward rejecting rather than overflowing.
 */
export const BYTES_PER_TOKEN = 3;

export class BytesPerTokenEstimator implements TokenCounter {
  readonly name = `estimate(utf8 bytes/${BYTES_PER_TOKEN})`;
  readonly exact = false;

  count(text: string): number {
    return Math.ceil(Buffer.byteLength(text, "utf8") / BYTES_PER_TOKEN);
  }

  truncate(text: string, maxTokens: number): string {
    const budget = Math.max(0, maxTokens) * BYTES_PER_TOKEN;
    if (Buffer.byteLength(text, "utf8") <= budget) return text;
    // Walk code points so the cut never splits a multi-byte character.
    let bytes = 0;
    let end = 0;
    for (const ch of text) {
      const size = utf8Length(ch.codePointAt(0)!);
      if (bytes + size > budget) break;
      bytes += size;
      end += ch.length;
    }
    return text.slice(0, end);
  }
}

function utf8Length(codePoint: number): number {
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
}
