import type { RouteConfig } from "../config/config.js";
import { ADAPTIVE_DEFAULTS, AdaptiveConcurrency } from "./adaptive-concurrency.js";
import { type EventLoopLag, processEventLoopLag } from "./event-loop-lag.js";
import { Gcra } from "./gcra.js";

/** What the gate needs to know about a finished request. */
export interface RequestSample {
  rttMs: number;
  /** 429, 503, 529 or a timeout: the backend said it has too much. */
  overloaded: boolean;
  retryAfterMs: number | null;
  estimatedTokens: number;
  /** Real input+output tokens from `usage`, when the backend reported them. */
  actualTokens: number | null;
}

/**
 * Everything that decides whether one more request may start on a route right now: its
 * concurrency (fixed, or found by the adaptive loop), requests and tokens per minute, and a
 * pause when the backend answered `Retry-After` — a pause for the whole route, since a 429 is
 * about the account or server, not the record. `share` is this process's part of the route's
 * budget when several worker processes serve it (1 in the embedded mode).
 */
export class RouteGate {
  private readonly adaptive: AdaptiveConcurrency | null;
  /** Read with each adaptive sample: the part of a latency that is this host's own delay. */
  private readonly loopLag: EventLoopLag | null;
  private readonly rpm: Gcra | null;
  private readonly tpm: Gcra | null;
  private pausedUntil = 0;

  constructor(
    readonly route: RouteConfig,
    share = 1,
  ) {
    this.adaptive = route.adaptive
      ? new AdaptiveConcurrency({ ...ADAPTIVE_DEFAULTS, max: route.concurrency })
      : null;
    this.loopLag = route.adaptive ? processEventLoopLag() : null;
    this.rpm = route.rpm ? new Gcra(route.rpm * share) : null;
    this.tpm = route.tpm ? new Gcra(route.tpm * share) : null;
  }

  /** This process's share changed (a worker joined or left). */
  setShare(share: number): void {
    if (this.route.rpm) this.rpm?.setRate(this.route.rpm * share);
    if (this.route.tpm) this.tpm?.setRate(this.route.tpm * share);
  }

  /** Epoch ms until which a Retry-After pauses the route (0 or past: not paused). */
  get pausedUntilMs(): number {
    return this.pausedUntil;
  }

  /** Requests this process may have in flight on the route now. */
  get concurrency(): number {
    const limit = this.adaptive?.current ?? this.route.concurrency;
    return Math.max(1, Math.floor(limit));
  }

  /**
   * 0 if a request costing `estimatedTokens` may start now (its budget is taken), else the ms
   * to wait before asking again.
   */
  tryStart(estimatedTokens: number, now: number): number {
    if (now < this.pausedUntil) return this.pausedUntil - now;
    const waitRequests = this.rpm?.take(1, now) ?? 0;
    if (waitRequests > 0) return waitRequests;
    const waitTokens = this.tpm?.take(estimatedTokens, now) ?? 0;
    if (waitTokens > 0) {
      this.rpm?.adjust(-1, now);
      return waitTokens;
    }
    return 0;
  }

  /** Gives back what `tryStart` took for a request that then did not start (another gate held it). */
  refund(estimatedTokens: number, now: number): void {
    this.rpm?.adjust(-1, now);
    if (estimatedTokens > 0) this.tpm?.adjust(-estimatedTokens, now);
  }

  onFinished(s: RequestSample, inFlight: number, now: number): void {
    if (s.retryAfterMs !== null && s.retryAfterMs > 0) {
      this.pausedUntil = Math.max(this.pausedUntil, now + s.retryAfterMs);
    }
    if (this.tpm && s.actualTokens !== null) this.tpm.adjust(s.actualTokens - s.estimatedTokens, now);
    this.adaptive?.onSample(s.rttMs, s.overloaded, inFlight, now, this.loopLag?.recentMs(now) ?? 0);
  }
}
