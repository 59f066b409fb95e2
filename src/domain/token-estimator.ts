/**
 * How many tokens a text is, for a budget or a limit. `exact` says whether the count is the
 * model's own (a tokenizer) or a rule of thumb; the rules of thumb are named for their rule
 * (`CharsPerTokenEstimator`, `BytesPerTokenEstimator`). Synchronous on purpose: every tokenizer
 * we plug in is, and some of these run once per request.
 */
export interface TokenEstimator {
  /** Short name for summaries, e.g. `o200k_base` or `estimate(utf8 bytes/3)`. */
  readonly name: string;
  /** True when counts are exact for the model, false for an estimate. */
  readonly exact: boolean;
  count(text: string): number;
}
