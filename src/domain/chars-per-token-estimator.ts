import type { TokenEstimator } from "./token-estimator.js";

/**
 * The usual rule of thumb for English text: about 4 characters per token (UTF-16 units, so no
 * encoding pass). The cheapest estimate there is: the worker's tokens-per-minute gate and the
 * fake backend's tpm limit run it on every request.
 */
export const CHARS_PER_TOKEN = 4;

export class CharsPerTokenEstimator implements TokenEstimator {
  readonly name = `estimate(chars/${CHARS_PER_TOKEN})`;
  readonly exact = false;

  count(text: string): number {
    return tokensForChars(text.length);
  }
}

/** The same rule for a length already known (e.g. a stored body's size). */
export function tokensForChars(chars: number): number {
  return Math.ceil(chars / CHARS_PER_TOKEN);
}
