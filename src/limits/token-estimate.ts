import { tokensForChars } from "../domain/chars-per-token-estimator.js";

/**
 * Tokens a request will spend, estimated before sending so a tokens-per-minute budget can be
 * held: the body's characters / 4 (English text averages ~4 characters per token, and counting
 * the JSON syntax too errs high) plus the output cap (`max_tokens`, `max_completion_tokens`,
 * `max_output_tokens`, or 256 when none is set). Corrected from the response's real `usage`.
 * It runs on every request, so it stays a length and one regular expression.
 */
export const DEFAULT_OUTPUT_ESTIMATE = 256;

const OUTPUT_CAP = /"(?:max_tokens|max_completion_tokens|max_output_tokens)"\s*:\s*(\d+)/;

/**
 * `storedBytes`: the body's size when it is not held as a string (a large body stored in parts
 * and streamed to the backend); its bytes stand in for characters and its output cap is then
 * unknown, so the default is assumed.
 */
export function estimateRequestTokens(body: string, storedBytes?: number): number {
  if (storedBytes !== undefined && body.length === 0) {
    return tokensForChars(storedBytes) + DEFAULT_OUTPUT_ESTIMATE;
  }
  const cap = OUTPUT_CAP.exec(body);
  return tokensForChars(body.length) + (cap ? Number(cap[1]) : DEFAULT_OUTPUT_ESTIMATE);
}
