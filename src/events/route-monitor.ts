import type { AttemptObservation } from "../worker/attempt-observer.js";
import type { RouteLoad } from "../worker/route-load.js";

/** One second of one route, as the routes page charts it. */
export interface RouteSample {
  /** Epoch ms when the sample was taken. */
  at: number;
  inFlight: number;
  concurrency: number;
  /** Attempts that finished since the previous sample, and how many of them answered 429 / 5xx. */
  attempts: number;
  status429: number;
  status5xx: number;
  paused: boolean;
}

/** Attempts finished on a route since this process started, by how they ended. */
export interface AttemptTally {
  total: number;
  ok: number;
  status429: number;
  status5xx: number;
  /** Everything else: other statuses, timeouts, connection errors. */
  otherErrors: number;
}

export interface RouteLiveStats {
  route: string;
  inFlight: number;
  queued: number;
  concurrency: number;
  pausedUntil: number | null;
  attempts: AttemptTally;
  /** Per second over the last `rateWindowMs`. */
  ratesPerS: { attempts: number; status429: number; status5xx: number };
  /** Oldest first. */
  history: RouteSample[];
}

export interface RouteMonitorOptions {
  /** How often the routes' load is sampled (ms); default 1000. */
  sampleMs?: number;
  /** Samples kept per route (a ring); default 300: five minutes at one a second. */
  historySize?: number;
  /** Window of `ratesPerS` (ms); default 10 000. */
  rateWindowMs?: number;
}

/**
 * Live figures of the routes a worker in this process runs, for the dashboard's routes page:
 * attempts counted as they finish (the worker's attempt observer) and the load sampled once a
 * second into a bounded ring per route. Memory only, and only where a worker runs: an API-only
 * process has none (docs/dashboard.md).
 */
export class RouteMonitor {
  private readonly sampleMs: number;
  private readonly historySize: number;
  private readonly rateWindowMs: number;
  private readonly tallies = new Map<string, AttemptTally>();
  /** Tally totals at the previous sample, to turn them into per-sample counts. */
  private readonly lastTotals = new Map<string, AttemptTally>();
  private readonly histories = new Map<string, RouteSample[]>();
  private load: (() => RouteLoad[]) | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(o: RouteMonitorOptions = {}) {
    this.sampleMs = o.sampleMs ?? 1000;
    this.historySize = o.historySize ?? 300;
    this.rateWindowMs = o.rateWindowMs ?? 10_000;
  }

  /** The worker's attempt observer: one call per finished attempt. */
  readonly onAttempt = (o: AttemptObservation): void => {
    const t = this.tallyOf(o.route);
    t.total++;
    const status = o.outcome.response?.statusCode ?? null;
    if (o.outcome.kind === "succeeded") t.ok++;
    else if (status === 429) t.status429++;
    else if (status !== null && status >= 500) t.status5xx++;
    else t.otherErrors++;
  };

  /** Starts sampling `load` (the worker's routes); `timer: false` leaves sampling to the caller. */
  attach(load: () => RouteLoad[], o: { timer?: boolean } = {}): void {
    this.load = load;
    if (o.timer === false || this.timer) return;
    this.timer = setInterval(() => this.sample(Date.now()), this.sampleMs);
    this.timer.unref();
  }

  /** Stops sampling; the monitor then reports no live figures. */
  detach(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.load = null;
  }

  /** Takes one sample of every route (the timer calls this once per `sampleMs`). */
  sample(now: number): void {
    if (!this.load) return;
    for (const l of this.load()) {
      const t = this.tallyOf(l.route);
      const last = this.lastTotals.get(l.route) ?? zeroTally();
      this.lastTotals.set(l.route, { ...t });
      const history = this.histories.get(l.route) ?? [];
      history.push({
        at: now,
        inFlight: l.inFlight,
        concurrency: l.concurrency,
        attempts: t.total - last.total,
        status429: t.status429 - last.status429,
        status5xx: t.status5xx - last.status5xx,
        paused: l.pausedUntil !== null && l.pausedUntil > now,
      });
      if (history.length > this.historySize) history.splice(0, history.length - this.historySize);
      this.histories.set(l.route, history);
    }
  }

  /** Every route's live figures, or null when no worker is attached (an API-only process). */
  snapshot(now: number): RouteLiveStats[] | null {
    if (!this.load) return null;
    return this.load().map((l) => {
      const history = this.histories.get(l.route) ?? [];
      const recent = history.filter((s) => s.at > now - this.rateWindowMs);
      const perSecond = (pick: (s: RouteSample) => number): number =>
        recent.reduce((sum, s) => sum + pick(s), 0) / (this.rateWindowMs / 1000);
      return {
        route: l.route,
        inFlight: l.inFlight,
        queued: l.queued,
        concurrency: l.concurrency,
        pausedUntil: l.pausedUntil !== null && l.pausedUntil > now ? l.pausedUntil : null,
        attempts: { ...this.tallyOf(l.route) },
        ratesPerS: {
          attempts: perSecond((s) => s.attempts),
          status429: perSecond((s) => s.status429),
          status5xx: perSecond((s) => s.status5xx),
        },
        history: [...history],
      };
    });
  }

  private tallyOf(route: string): AttemptTally {
    let t = this.tallies.get(route);
    if (!t) {
      t = zeroTally();
      this.tallies.set(route, t);
    }
    return t;
  }
}

function zeroTally(): AttemptTally {
  return { total: 0, ok: 0, status429: 0, status5xx: 0, otherErrors: 0 };
}
