import type { TokenEstimator } from "../../domain/token-estimator.js";

/**
 * A token count that can also cut text at a budget, which preparing a dataset needs (overflow
 * policies truncate). Every tokenizer we plug in (tiktoken, a GGUF model's own vocabulary
 * through node-llama-cpp's `model.tokenize`/`detokenize`) is synchronous, and so is this: it
 * runs once or a few times per row.
 */
export interface TokenCounter extends TokenEstimator {
  /** The longest prefix of `text` that is at most `maxTokens` tokens. */
  truncate(text: string, maxTokens: number): string;
}

/**
 * How a backend that knows its model's tokenizer (e.g. the llama.cpp backend with a GGUF
 * file) offers it: given the model name a template uses, a counter, or null to fall back to
 * the built-in choice.
 */
export type TokenCounterProvider = (model: string) => TokenCounter | null;
