import { emptyFakeRequest, estimateTokens } from "../fake/fake-requests.js";
import { fakeText } from "../fake/fake-responses.js";

/** What one call asks of the fake model, whatever dialect it came in. */
export interface Prompt {
  modelId: string;
  /** All the prompt's text, joined: the answer is derived from it, the tokens estimated on it. */
  text: string;
  /** The request's cap on generated tokens; null when it sets none. */
  maxTokens: number | null;
}

export interface Generated {
  text: string;
  inputTokens: number;
  outputTokens: number;
  /** True when the request's cap cut the answer short (Bedrock's `max_tokens`/`length`). */
  capped: boolean;
}

/**
 * The made-up answer, from the same generator as the OpenAI fake (deterministic per model and
 * prompt, with multi-byte words) and the same token estimate (chars/4).
 */
export function generate(prompt: Prompt, outputTokens: number): Generated {
  const capped = prompt.maxTokens !== null && prompt.maxTokens < outputTokens;
  const tokens = capped ? prompt.maxTokens! : outputTokens;
  const request = {
    ...emptyFakeRequest("chat", prompt.modelId),
    promptText: prompt.text,
    maxTokens: prompt.maxTokens,
  };
  return {
    text: fakeText(request, tokens),
    inputTokens: estimateTokens(prompt.text),
    outputTokens: tokens,
    capped,
  };
}

/** Tokens a request may use at most, as a tpm limit counts it before answering. */
export function tokenCost(prompt: Prompt, outputTokens: number): number {
  return estimateTokens(prompt.text) + (prompt.maxTokens ?? outputTokens);
}
