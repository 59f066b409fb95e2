/**
 * Limits that keep validating one input file bounded in memory and time whatever it holds
 * (docs: "Validation limits"). All can be set under `validation` in docket.config.json.
 */
export interface ValidationLimits {
  /**
   * Longest input line in bytes (128 MiB). A longer line is discarded up to its newline and
   * reported (`line_too_long`), so a line costs at most about this much memory: a line over
   * 1 MiB is checked on its bytes and its body stored from them, never also decoded to a string.
   */
  maxLineBytes: number;
  /**
   * Deepest nesting of objects and arrays in a line (128, counted from the line's own object,
   * so `body` itself is depth 2). Checked before anything else reads the line: a 6,000-deep
   * line is a line error (`nesting_too_deep`), never a stack overflow.
   */
  maxNestingDepth: number;
  /**
   * Longest `custom_id` in UTF-8 bytes (4,096). OpenAI documents no bound (512-character ids
   * work there); Anthropic allows 64. The bound keeps one id from bloating every error and
   * output line it is echoed in.
   */
  maxCustomIdBytes: number;
  /**
   * Validation attempts before a batch whose validation keeps failing (an unreadable blob, a
   * store error, a process dying mid-file) ends `failed` with `validation_failed` (3).
   */
  maxAttempts: number;
  /**
   * Problems listed on a failed batch (100); beyond them one `too_many_errors` entry gives the
   * total and the count per code. Each message is at most 1 KB, long values elided.
   */
  maxListedErrors: number;
}

export const DEFAULT_VALIDATION_LIMITS: ValidationLimits = {
  maxLineBytes: 128 * 1024 * 1024,
  maxNestingDepth: 128,
  maxCustomIdBytes: 4096,
  maxAttempts: 3,
  maxListedErrors: 100,
};
