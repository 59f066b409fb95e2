/** Display formatting, pure so it is unit-tested; every function takes null for "unknown". */

const DASH = "—";

export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined) return DASH;
  return n.toLocaleString("en-US");
}

/** Records per second: two significant decimals below 10/s, whole numbers above. */
export function formatRate(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined) return DASH;
  if (perSecond === 0) return "0/s";
  return perSecond < 10 ? `${perSecond.toFixed(2)}/s` : `${Math.round(perSecond).toLocaleString("en-US")}/s`;
}

/** A duration in seconds as its two largest units: `45s`, `3m 20s`, `2h 05m`, `3d 4h`. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return DASH;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

/** Dollars: cents above $1, four significant digits for small amounts (a million cheap requests add up). */
export function formatCost(usd: number | null | undefined): string {
  if (usd === null || usd === undefined) return DASH;
  if (usd === 0) return "$0.00";
  if (usd >= 1)
    return `$${usd.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  return `$${usd.toPrecision(4).replace(/0+$/, "").replace(/\.$/, "")}`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return DASH;
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** Epoch seconds (the API's unit) as local date and time, to the second. */
export function formatTime(epochSeconds: number | null | undefined): string {
  if (epochSeconds === null || epochSeconds === undefined) return DASH;
  const d = new Date(epochSeconds * 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}

export interface ProgressParts {
  /** Percent of the total that succeeded, failed, and both (the bar's label), 0–100. */
  completedPct: number;
  failedPct: number;
  donePct: number;
}

/** A total of 0 (still validating) is 0 %, never NaN; counts past the total are capped. */
export function progressParts(counts: { total: number; completed: number; failed: number }): ProgressParts {
  if (counts.total <= 0) return { completedPct: 0, failedPct: 0, donePct: 0 };
  const completedPct = Math.min(100, (counts.completed / counts.total) * 100);
  const failedPct = Math.min(100 - completedPct, (counts.failed / counts.total) * 100);
  // Floor, so 99.99 % never reads as 100 % while a record is still running.
  const donePct = Math.floor(completedPct + failedPct);
  return { completedPct, failedPct, donePct };
}
