/**
 * Counts and cuts text in a model's tokens. Synchronous on purpose: it runs once or a few times
 * per row, and every tokenizer we plug in (tiktoken, a GGUF model's own vocabulary through
 * node-llama-cpp's `model.tokenize`/`detokenize`) is synchronous.
 */
export interface TokenCounter {
  /** Short name for summaries, e.g. `o200k_base` or `estimate(bytes/3)`. */
  readonly name: string;
  /** True when counts are exact for the model, false for an estimate. */
  readonly exact: boolean;
  count(text: string): number;
  /** The longest prefix of `text` that is at most `maxTokens` tokens. */
  truncate(text: string, maxTokens: number): string;
}

/**
 * How a backend that knows its model's tokenizer (e.g. the llama.cpp backend with a GGUF
 * file) offers it: given the model name a template uses, a counter, or null to fall back to
 * the built-in choice.
 */
export type TokenCounterProvider = (model: string) => TokenCounter | null;
