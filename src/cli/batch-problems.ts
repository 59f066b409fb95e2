import type { BatchView } from "./batch-types.js";

/** Problems printed when `--max-problems` is not given (validation can report thousands). */
export const DEFAULT_MAX_PROBLEMS = 20;
/** A longer message (a huge custom_id quoted back) is cut here when printed. */
const MAX_MESSAGE_CHARS = 500;

type BatchProblem = NonNullable<BatchView["errors"]>["data"][number];

/**
 * "line 3: invalid_json: not valid JSON (…)". The API's message starts with "Line 3: " (as
 * OpenAI's do); the line number is printed once, so that prefix is dropped here.
 */
export function formatBatchProblem(e: BatchProblem): string {
  let message = e.message;
  if (e.line !== null) {
    const prefix = /^line\s+(\d+)\s*:\s*/i.exec(message);
    if (prefix && Number(prefix[1]) === e.line) message = message.slice(prefix[0].length);
  }
  if (message.length > MAX_MESSAGE_CHARS) message = `${message.slice(0, MAX_MESSAGE_CHARS - 1)}…`;
  return `${e.line !== null ? `line ${e.line}: ` : ""}${e.code}: ${message}`;
}

/**
 * The first `max` problems of a batch, one per line and indented, then "… and K more" when
 * some were left out. `total` is how many there are, when the server says (else the list's length).
 */
export function formatBatchProblems(
  problems: readonly BatchProblem[],
  max: number,
  total: number = problems.length,
): string[] {
  const shown = problems.slice(0, max).map((e) => `  ${formatBatchProblem(e)}`);
  const more = Math.max(total, problems.length) - shown.length;
  if (more > 0) shown.push(`  … and ${more.toLocaleString("en-US")} more (raise --max-problems to see them)`);
  return shown;
}
