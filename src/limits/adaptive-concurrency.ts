export interface AdaptiveConcurrencyOptions {
  initial: number;
  min: number;
  max: number;
  /** Multiplier applied on an overload signal (429, 503, timeout). */
  backoffRatio: number;
  /** Window after which the no-queue latency estimate is relearned (the backend may change). */
  minRttWindowMs: number;
  /** Latency differences below this are treated as noise (timer jitter on loopback). */
  rttToleranceMs: number;
}

export const ADAPTIVE_DEFAULTS: Omit<AdaptiveConcurrencyOptions, "max"> = {
  initial: 8,
  min: 1,
  backoffRatio: 0.7,
  minRttWindowMs: 30_000,
  rttToleranceMs: 2,
};

/**
 * Finds the concurrency a backend can take, in the manner of TCP Vegas (as in Netflix's
 * concurrency-limits): with `minRtt` the latency when nothing queues, the requests queued at
 * the backend are estimated as `limit × (1 − minRtt / rtt)`. Fewer than α queued: add one;
 * more than β: take one away. An explicit overload (429, 503, timeout) cuts the limit by
 * `backoffRatio`, at most once per round trip, like AIMD. α = 3·log10(limit), β = 6·log10(limit)
 * keep a small standing queue, so the backend never idles and throughput stays at its capacity.
 *
 * A sample's latency is measured by this process's event loop, so it also holds the time a
 * request waited here to be written and its response waited to be read (`loopLagMs`, the
 * loop's recent delay). That wait is this host's, not the backend's: it is allowed for on top
 * of `rttToleranceMs`, else a busy host reads as a queueing backend and the limit settles low.
 */
export class AdaptiveConcurrency {
  private limit: number;
  private minRtt = Number.POSITIVE_INFINITY;
  private previousWindowMinRtt = Number.POSITIVE_INFINITY;
  private windowStart = 0;
  private lastCut = 0;
  private smoothedRtt = 0;

  constructor(private readonly o: AdaptiveConcurrencyOptions) {
    this.limit = Math.min(o.max, Math.max(o.min, o.initial));
  }

  get current(): number {
    return Math.max(this.o.min, Math.floor(this.limit));
  }

  /**
   * One finished request: its latency, whether it signalled overload, how many were in flight,
   * and how late this process's event loop has been running callbacks lately (ms).
   */
  onSample(rttMs: number, overloaded: boolean, inFlight: number, now: number, loopLagMs = 0): void {
    this.smoothedRtt = this.smoothedRtt === 0 ? rttMs : this.smoothedRtt * 0.9 + rttMs * 0.1;
    if (overloaded) {
      // One cut per round trip: the overloads of one burst are one signal, not many.
      if (now - this.lastCut >= Math.max(this.smoothedRtt, 50)) {
        this.limit = Math.max(this.o.min, this.limit * this.o.backoffRatio);
        this.lastCut = now;
      }
      return;
    }
    this.observeMinRtt(rttMs, now);
    // Too little traffic to learn anything about the limit (the app, not the backend, limits).
    if (inFlight * 2 < this.limit) return;
    // The loop's delay is met twice per request: before undici writes it, and before its answer is read.
    const noQueue = Math.min(this.minRtt, this.previousWindowMinRtt) + this.o.rttToleranceMs + 2 * loopLagMs;
    const queued = this.limit * (1 - noQueue / Math.max(rttMs, noQueue));
    const log = Math.max(1, Math.log10(this.limit));
    if (queued <= 3 * log) this.limit = Math.min(this.o.max, this.limit + log / Math.sqrt(this.limit));
    else if (queued >= 6 * log) this.limit = Math.max(this.o.min, this.limit - log / Math.sqrt(this.limit));
  }

  private observeMinRtt(rttMs: number, now: number): void {
    if (now - this.windowStart > this.o.minRttWindowMs) {
      this.previousWindowMinRtt = this.minRtt;
      this.minRtt = Number.POSITIVE_INFINITY;
      this.windowStart = now;
    }
    if (rttMs < this.minRtt) this.minRtt = rttMs;
  }
}
