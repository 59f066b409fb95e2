/**
 * Tokens a request will spend, estimated before sending so a tokens-per-minute budget can be
 * held: the body's characters / 4 (English text averages ~4 characters per token, and counting
 * the JSON syntax too errs high) plus the output cap (`max_tokens`, `max_completion_tokens`,
 * `max_output_tokens`, or 256 when none is set). Corrected from the response's real `usage`.
 */
export const DEFAULT_OUTPUT_ESTIMATE = 256;

const OUTPUT_CAP = /"(?:max_tokens|max_completion_tokens|max_output_tokens)"\s*:\s*(\d+)/;

export function estimateRequestTokens(body: string): number {
  const cap = OUTPUT_CAP.exec(body);
  return Math.ceil(body.length / 4) + (cap ? Number(cap[1]) : DEFAULT_OUTPUT_ESTIMATE);
}
