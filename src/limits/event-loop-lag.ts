import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";

/** How often the loop's delay is sampled: one cheap timer per 10 ms. */
const RESOLUTION_MS = 10;
/** The span one reading covers: recent enough to follow load, long enough to hold ~100 samples. */
const WINDOW_MS = 1000;

/**
 * How late this process's event loop runs a callback that is ready, over the last second: the
 * time a response waits here, after it arrived, before the code that measures its latency runs
 * (and a request waits before undici writes it). On a busy host this is several ms, and the
 * adaptive loop must not read it as queueing at the backend.
 */
export class EventLoopLag {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private windowStart = 0;
  private lastWindowMs = 0;

  constructor() {
    // Node unrefs the histogram's timer: it never keeps the process alive.
    this.histogram.enable();
  }

  /** The mean delay, in ms, over the last full window (0 until one has passed). */
  recentMs(now: number): number {
    if (now - this.windowStart >= WINDOW_MS) {
      // The histogram records the whole interval between its timer's runs: the delay is what exceeds it.
      if (this.histogram.count > 0)
        this.lastWindowMs = Math.max(0, this.histogram.mean / 1e6 - RESOLUTION_MS);
      this.histogram.reset();
      this.windowStart = now;
    }
    return this.lastWindowMs;
  }
}

let shared: EventLoopLag | null = null;

/** One monitor per process: every adaptive route reads the same loop. */
export function processEventLoopLag(): EventLoopLag {
  shared ??= new EventLoopLag();
  return shared;
}
