import type { RequestPayload } from "../request-body.js";
import type { TokenCounter } from "./token-counter.js";

/**
 * Chat overhead as in OpenAI's cookbook ("How to count tokens with tiktoken"): every message
 * costs 3 tokens plus its role and content, and the reply is primed with 3 more.
 */
export const TOKENS_PER_MESSAGE = 3;
export const REPLY_PRIMING_TOKENS = 3;

/**
 * What a request's input tokens are made of: a fixed overhead plus the count of each text.
 * Split out so the texts can be counted elsewhere (other threads) and summed here.
 */
export function requestTokenParts(payload: RequestPayload): { overhead: number; texts: string[] } {
  if (payload.endpoint === "/v1/embeddings") return { overhead: 0, texts: [payload.body.input] };
  if (payload.endpoint === "/v1/completions") return { overhead: 0, texts: [payload.body.prompt] };
  const texts: string[] = [];
  for (const message of payload.body.messages) texts.push(message.role, message.content);
  const format = payload.body.response_format;
  if (format !== undefined && format.type !== "text") texts.push(JSON.stringify(format));
  return { overhead: REPLY_PRIMING_TOKENS + TOKENS_PER_MESSAGE * payload.body.messages.length, texts };
}

/**
 * Input tokens of a request. A `response_format` schema is sent to the model too; its JSON is
 * counted as text, an approximation of however the provider renders it.
 */
export function countRequestTokens(payload: RequestPayload, counter: TokenCounter): number {
  const { overhead, texts } = requestTokenParts(payload);
  let total = overhead;
  for (const text of texts) total += counter.count(text);
  return total;
}
