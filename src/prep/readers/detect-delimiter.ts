export const DELIMITER_CANDIDATES = [",", ";", "\t", "|"] as const;

/**
 * Picks the delimiter that occurs most often outside quotes in the first line (the header).
 * Ties go to the earlier candidate, so a header with no delimiter at all reads as one column.
 */
export function detectDelimiter(firstLine: string): string {
  const counts = new Map<string, number>(DELIMITER_CANDIDATES.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of firstLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best: string = ",";
  let bestCount = 0;
  for (const [d, n] of counts) {
    if (n > bestCount) {
      best = d;
      bestCount = n;
    }
  }
  return best;
}

/** Accepts the names people type on a command line (`tab`, `\t`) as well as the character. */
export function normaliseDelimiter(value: string): string | null {
  const named: Record<string, string> = { tab: "\t", "\\t": "\t", comma: ",", semicolon: ";", pipe: "|" };
  const d = named[value.toLowerCase()] ?? value;
  return (DELIMITER_CANDIDATES as readonly string[]).includes(d) ? d : null;
}
