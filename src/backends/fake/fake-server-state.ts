import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { seededRandom } from "../../domain/seeded-random.js";
import { CapacityQueue } from "./capacity-queue.js";
import { compileMarkerPattern, type ResolvedFakeOptions } from "./fake-options.js";
import { hangUntilClosed, serveInCapacity } from "./fake-serve.js";
import { FakeCounters, type FakeStats, snapshotStats } from "./fake-stats.js";
import { SlidingWindowLimit } from "./sliding-window-limit.js";

/** One API request being answered: its id suffix, and where its status and answer are counted. */
export interface FakeExchange {
  /** Unique per request on this server (`req_<suffix>`, `msg_<suffix>`…). */
  suffix: string;
  /** Counts the status and, with recordBodies, keeps the answer beside the request. */
  answered(status: number, text: string): void;
}

/** A simulated fault: the fraction of requests that draw it, and how it answers them. */
export type FakeFault = readonly [fraction: number, answer: () => void];

/**
 * What every fake provider keeps between requests, whatever wire format it speaks: its options,
 * the seeded draw for simulated faults, the capacity queue, the sliding-window limit and the
 * counters behind stats(). Each fake adds its own options on top of the common ones.
 */
export class FakeServerState<O extends ResolvedFakeOptions> {
  random: () => number;
  markerRegExp: RegExp | null;
  readonly capacity: CapacityQueue;
  readonly limit: SlidingWindowLimit;
  readonly counters = new FakeCounters();
  private readonly instance = randomBytes(4).toString("hex");
  private sequence = 0;

  constructor(public opts: O) {
    this.random = seededRandom(opts.seed);
    this.markerRegExp = opts.markerPattern ? compileMarkerPattern(opts.markerPattern) : null;
    this.capacity = new CapacityQueue(opts.capacity);
    this.limit = new SlidingWindowLimit(opts.rpm, opts.tpm);
  }

  /** Applies options already merged and checked (each fake merges its own). */
  update(next: O): void {
    if (next.seed !== this.opts.seed) this.random = seededRandom(next.seed);
    this.markerRegExp = next.markerPattern ? compileMarkerPattern(next.markerPattern) : null;
    this.capacity.setLimit(next.capacity);
    this.limit.rpm = next.rpm;
    this.limit.tpm = next.tpm;
    this.opts = next;
  }

  stats(): FakeStats {
    return snapshotStats(this.counters, this.capacity, this.opts);
  }

  resetStats(): void {
    this.counters.reset();
    this.capacity.resetPeaks();
  }

  /** Counts an API request on `path` (its markers too, and its body with recordBodies). */
  open(path: string, body: string): FakeExchange {
    const counters = this.counters;
    counters.requests++;
    counters.byPath[path] = (counters.byPath[path] ?? 0) + 1;
    const record = this.opts.recordBodies
      ? { path, request: body, status: null as number | null, response: null as string | null }
      : null;
    if (record) counters.bodies.push(record);
    if (this.markerRegExp) {
      for (const match of body.matchAll(this.markerRegExp)) counters.countMarker(match[1] ?? match[0]);
    }
    return {
      suffix: `${this.instance}${(++this.sequence).toString(36)}`,
      answered: (status, text) => {
        counters.byStatus[status] = (counters.byStatus[status] ?? 0) + 1;
        if (record) {
          record.status = status;
          record.response = text;
        }
      },
    };
  }

  /**
   * Decides an admitted request's fate with one draw, so a seed repeats a run: each of `faults`
   * takes its fraction of [0, 1) in order, then rateHang holds the request open until the client
   * leaves, and the rest are served in capacity (`delayMs`, then `answer`).
   */
  drawThenServe(
    res: ServerResponse,
    faults: readonly FakeFault[],
    delayMs: () => number,
    answer: () => void,
  ): void {
    const draw = this.random();
    // Summed left to right, so the slices end exactly where `rate429 + rate500 + …` says.
    let upTo = 0;
    for (const [fraction, fail] of faults) {
      upTo += fraction;
      if (draw < upTo) {
        fail();
        return;
      }
    }
    if (draw < upTo + this.opts.rateHang) hangUntilClosed(res, this.counters);
    else serveInCapacity(res, this.capacity, this.counters, delayMs, answer);
  }
}
