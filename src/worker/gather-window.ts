/**
 * The largest share of the event loop that writing outcomes may hold: with a 2 ms fsync per
 * commit, 5 % means one commit per ~40 ms of results.
 */
export const BLOCKED_SHARE = 0.05;

/**
 * How long outcomes gather before the next write, given how long the last write held the event
 * loop (`blockedMs`): long enough that those writes hold at most `BLOCKED_SHARE` of it, within
 * [minDelayMs, maxDelayMs]. A SQLite commit blocks the loop for its fsync, so a slow disk gets
 * fewer, larger commits; a PostgreSQL write only starts a round trip, so it keeps the minimum
 * and results stay as fresh as before. The maximum bounds how late a result becomes visible.
 */
export function gatherWindowMs(blockedMs: number, o: { minDelayMs: number; maxDelayMs: number }): number {
  const window = (blockedMs * (1 - BLOCKED_SHARE)) / BLOCKED_SHARE;
  return Math.min(o.maxDelayMs, Math.max(o.minDelayMs, Math.round(window)));
}
