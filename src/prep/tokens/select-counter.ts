import { DocketError } from "../../domain/errors.js";
import { BytesPerTokenEstimator } from "./bytes-per-token-estimator.js";
import { TiktokenCounter, type TiktokenEncodingName } from "./tiktoken-counter.js";
import type { TokenCounter, TokenCounterProvider } from "./token-counter.js";

export type TokenizerChoice = "auto" | "estimate" | TiktokenEncodingName;

/**
 * Which tiktoken encoding an OpenAI model family uses (per OpenAI's tiktoken model table);
 * null for models whose tokenizer we do not ship.
 */
export function encodingForModel(model: string): TiktokenEncodingName | null {
  const m = model.toLowerCase().replace(/^openai\//, "");
  if (/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|chatgpt-4o|o1|o3|o4|gpt-oss)/.test(m)) return "o200k_base";
  if (/^(gpt-4|gpt-3\.5|gpt-35|text-embedding-3|text-embedding-ada-002)/.test(m)) return "cl100k_base";
  return null;
}

/**
 * The counter for a model: an explicit choice, else a provider's (e.g. a GGUF model's own
 * tokenizer), else tiktoken for OpenAI families, else the conservative estimate.
 */
export function selectTokenCounter(
  model: string,
  choice: TokenizerChoice = "auto",
  provider?: TokenCounterProvider,
): TokenCounter {
  if (choice === "estimate") return new BytesPerTokenEstimator();
  if (choice === "o200k_base" || choice === "cl100k_base") return new TiktokenCounter(choice);
  const provided = provider?.(model);
  if (provided) return provided;
  const encoding = encodingForModel(model);
  return encoding ? new TiktokenCounter(encoding) : new BytesPerTokenEstimator();
}

export function parseTokenizerChoice(value: string): TokenizerChoice {
  if (value === "auto" || value === "estimate" || value === "o200k_base" || value === "cl100k_base")
    return value;
  throw new DocketError(
    "invalid_option",
    `Unknown tokenizer '${value}'; use auto, estimate, o200k_base or cl100k_base.`,
  );
}
