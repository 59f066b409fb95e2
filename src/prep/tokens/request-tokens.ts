import type { RequestPayload } from "../request-body.js";
import type { TokenCounter } from "./token-counter.js";

/**
 * Chat overhead as in OpenAI's cookbook ("How to count tokens with tiktoken"): every message
 * costs 3 tokens plus its role and content, and the reply is primed with 3 more.
 */
export const TOKENS_PER_MESSAGE = 3;
export const REPLY_PRIMING_TOKENS = 3;

/**
 * Input tokens of a request. A `response_format` schema is sent to the model too; its JSON is
 * counted as text, an approximation of however the provider renders it.
 */
export function countRequestTokens(payload: RequestPayload, counter: TokenCounter): number {
  if (payload.endpoint === "/v1/embeddings") return counter.count(payload.body.input);
  if (payload.endpoint === "/v1/completions") return counter.count(payload.body.prompt);
  let total = REPLY_PRIMING_TOKENS;
  for (const message of payload.body.messages) {
    total += TOKENS_PER_MESSAGE + counter.count(message.role) + counter.count(message.content);
  }
  const format = payload.body.response_format;
  if (format !== undefined && format.type !== "text") total += counter.count(JSON.stringify(format));
  return total;
}
