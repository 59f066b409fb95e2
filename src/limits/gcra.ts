/**
 * A rate limit as the generic cell rate algorithm: one "theoretical arrival time" instead of a
 * window of timestamps, so a check is O(1) and a limit of 10,000 RPM costs nothing to hold.
 * `burstMs` is how far ahead of the steady rate work may run (a second's worth by default), so
 * the limit is spread over the minute rather than spent in its first second.
 */
export class Gcra {
  private tat = 0;

  constructor(
    private perMinute: number,
    private readonly burstMs = 1000,
  ) {}

  setRate(perMinute: number): void {
    this.perMinute = perMinute;
  }

  private get interval(): number {
    return 60_000 / this.perMinute;
  }

  /**
   * Takes `cost` units if the rate allows it now and returns 0; otherwise takes nothing and
   * returns how many ms until it would. A cost larger than the burst goes once the limiter is
   * idle, so one huge request is slowed, never starved.
   */
  take(cost: number, now: number): number {
    const start = Math.max(this.tat, now);
    const next = start + cost * this.interval;
    const allowedAt = Math.min(next - this.burstMs, start);
    if (allowedAt > now) return Math.ceil(allowedAt - now);
    this.tat = next;
    return 0;
  }

  /** Corrects an estimate once the real cost is known (negative gives units back). */
  adjust(delta: number, now: number): void {
    this.tat = Math.max(now - this.burstMs, this.tat + delta * this.interval);
  }
}
