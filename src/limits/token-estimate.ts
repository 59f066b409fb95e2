/**
 * Tokens a request will spend, estimated before sending so a tokens-per-minute budget can be
 * held: the body's characters / 4 (English text averages ~4 characters per token, and counting
 * the JSON syntax too errs high) plus the output cap (`max_tokens`, `max_completion_tokens`,
 * `max_output_tokens`, or 256 when none is set). Corrected from the response's real `usage`.
 */
export const DEFAULT_OUTPUT_ESTIMATE = 256;

const OUTPUT_CAP = /"(?:max_tokens|max_completion_tokens|max_output_tokens)"\s*:\s*(\d+)/;

/**
 * `storedBytes`: the body's size when it is not held as a string (a large body stored in parts
 * and streamed to the backend); its output cap is then unknown and the default is assumed.
 */
export function estimateRequestTokens(body: string, storedBytes?: number): number {
  if (storedBytes !== undefined && body.length === 0) {
    return Math.ceil(storedBytes / 4) + DEFAULT_OUTPUT_ESTIMATE;
  }
  const cap = OUTPUT_CAP.exec(body);
  return Math.ceil(body.length / 4) + (cap ? Number(cap[1]) : DEFAULT_OUTPUT_ESTIMATE);
}
