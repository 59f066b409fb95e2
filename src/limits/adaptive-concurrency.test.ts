import { describe, expect, it } from "vitest";
import { ADAPTIVE_DEFAULTS, AdaptiveConcurrency } from "./adaptive-concurrency.js";

/**
 * A simulated backend with a hard capacity and FIFO queueing: latency is `base` while at most
 * `capacity` requests are in flight and grows in proportion beyond it — the fake backend's model.
 */
function simulate(
  limiter: AdaptiveConcurrency,
  capacityAt: (t: number) => number,
  untilMs: number,
  host: { loopLagMs: number } = { loopLagMs: 0 },
) {
  const base = 50;
  // A fixed seed: the same jitter every run.
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const trace: Array<{ t: number; limit: number }> = [];
  for (let t = 0; t < untilMs; t += 10) {
    const inFlight = limiter.current;
    const capacity = capacityAt(t);
    const rtt = base * Math.max(1, inFlight / capacity);
    // each tick, a tenth of a round trip's worth of requests finishes
    const finished = Math.max(1, Math.round((inFlight * 10) / rtt));
    for (let i = 0; i < finished; i++) {
      // A busy host delays each request twice (its write, its answer's read), each by 0…2× its
      // mean lag: some answers are read at once (they set minRtt), most wait.
      const hostDelay = 4 * host.loopLagMs * random();
      limiter.onSample(rtt + hostDelay, false, inFlight, t, host.loopLagMs);
    }
    trace.push({ t, limit: limiter.current });
  }
  return trace;
}

describe("AdaptiveConcurrency", () => {
  it("converges near the backend's capacity from below", () => {
    const l = new AdaptiveConcurrency({ ...ADAPTIVE_DEFAULTS, max: 512 });
    const trace = simulate(l, () => 64, 60_000);
    const settled = trace.slice(-1000).map((s) => s.limit);
    expect(Math.min(...settled)).toBeGreaterThanOrEqual(64);
    expect(Math.max(...settled)).toBeLessThanOrEqual(64 + 20);
  });

  it("does not read its own host's event-loop delay as queueing at the backend", () => {
    const l = new AdaptiveConcurrency({ ...ADAPTIVE_DEFAULTS, max: 512 });
    const trace = simulate(l, () => 64, 60_000, { loopLagMs: 10 });
    const settled = trace.slice(-1000).map((s) => s.limit);
    expect(Math.min(...settled)).toBeGreaterThanOrEqual(64);
    expect(Math.max(...settled)).toBeLessThanOrEqual(64 + 30);
  });

  it("still backs off on a busy host when the capacity drops", () => {
    const l = new AdaptiveConcurrency({ ...ADAPTIVE_DEFAULTS, max: 512 });
    const trace = simulate(l, (t) => (t < 30_000 ? 64 : 16), 90_000, { loopLagMs: 10 });
    const after = trace.slice(-500).map((s) => s.limit);
    // A little above the quiet host's bound: the delay allowed for lets a slightly longer queue stand.
    expect(Math.max(...after)).toBeLessThanOrEqual(16 + 20);
    expect(Math.min(...after)).toBeGreaterThanOrEqual(16);
  });

  it("backs off when the capacity drops", () => {
    const l = new AdaptiveConcurrency({ ...ADAPTIVE_DEFAULTS, max: 512 });
    const trace = simulate(l, (t) => (t < 30_000 ? 64 : 16), 90_000);
    const before = trace.filter((s) => s.t > 25_000 && s.t < 30_000).map((s) => s.limit);
    const after = trace.slice(-500).map((s) => s.limit);
    expect(Math.min(...before)).toBeGreaterThanOrEqual(64);
    expect(Math.max(...after)).toBeLessThanOrEqual(16 + 15);
    expect(Math.min(...after)).toBeGreaterThanOrEqual(16);
  });

  it("cuts multiplicatively on overload, once per round trip", () => {
    const l = new AdaptiveConcurrency({ ...ADAPTIVE_DEFAULTS, initial: 100, max: 512 });
    l.onSample(50, false, 100, 0);
    l.onSample(50, true, 100, 1000);
    expect(l.current).toBe(70);
    l.onSample(50, true, 100, 1001); // same burst: ignored
    expect(l.current).toBe(70);
    l.onSample(50, true, 100, 1100);
    expect(l.current).toBe(49);
  });

  it("stays within its bounds", () => {
    const l = new AdaptiveConcurrency({ ...ADAPTIVE_DEFAULTS, initial: 4, max: 10 });
    for (let t = 0; t < 10_000; t++) l.onSample(50, false, 10, t);
    expect(l.current).toBe(10);
    for (let t = 0; t < 100; t++) l.onSample(50, true, 10, 20_000 + t * 100);
    expect(l.current).toBe(1);
  });
});
