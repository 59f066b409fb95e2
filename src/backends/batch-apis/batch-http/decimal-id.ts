/**
 * The number `s` spells in decimal from `start` to its end: 1 to 15 ASCII digits, so exact in a
 * double (leading zeros allowed); null for anything else. Read digit by digit rather than with a
 * regular expression: ingest reads one key per result, 100,000 per provider job.
 */
export function decimalIdAt(s: string, start: number): number | null {
  const length = s.length - start;
  if (length < 1 || length > 15) return null;
  let value = 0;
  for (let i = start; i < s.length; i++) {
    const digit = s.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return null;
    value = value * 10 + digit;
  }
  return value;
}
