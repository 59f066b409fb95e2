const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses durations such as `24h`, `90m`, `3s`, `1500ms`, `2d`. OpenAI only accepts `24h` as a
 * completion window; Docket accepts any so tests and short-lived jobs can use seconds.
 * Returns undefined for anything it cannot read, so callers can report the field.
 */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === "number") return Number.isFinite(text) && text > 0 ? text * 1000 : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(text);
  if (!match) return undefined;
  const ms = Number(match[1]) * UNITS[match[2]!]!;
  return ms > 0 ? Math.round(ms) : undefined;
}

/** The store keeps epoch milliseconds; OpenAI objects carry epoch seconds. */
export function toSeconds(ms: number): number;
export function toSeconds(ms: number | null): number | null;
export function toSeconds(ms: number | null): number | null {
  return ms === null ? null : Math.floor(ms / 1000);
}
