import { describe, expect, it } from "vitest";
import type { ClaimedRecord, Outcome } from "../domain/record.js";
import type { RouteLoad } from "../worker/route-load.js";
import { RouteMonitor } from "./route-monitor.js";

const record = { id: 1, jobId: "j", kind: "batch" } as ClaimedRecord;
const answer = (statusCode: number | null): Outcome =>
  statusCode === 200
    ? { kind: "succeeded", response: { statusCode, requestId: null, body: "{}" }, usage: null }
    : {
        kind: "retry",
        runAt: 0,
        response: statusCode === null ? null : { statusCode, requestId: null, body: "{}" },
        error: { code: "x", message: "x" },
      };

describe("RouteMonitor", () => {
  it("reports nothing live until a worker is attached, and again after it is detached", () => {
    const m = new RouteMonitor();
    expect(m.snapshot(0)).toBeNull();
    m.attach(() => [], { timer: false });
    expect(m.snapshot(0)).toEqual([]);
    m.detach();
    expect(m.snapshot(0)).toBeNull();
  });

  it("tallies attempts by outcome, samples them per second, and keeps a bounded history", () => {
    let load: RouteLoad = { route: "r", inFlight: 3, queued: 5, concurrency: 8, pausedUntil: null };
    const m = new RouteMonitor({ historySize: 4, rateWindowMs: 2_000 });
    m.attach(() => [load], { timer: false });
    const observe = (status: number | null) =>
      m.onAttempt({ record, route: "r", startedAt: 0, finishedAt: 1, outcome: answer(status) });
    for (const s of [200, 200, 429, 503, 400, null]) observe(s);
    m.sample(1_000);
    observe(429);
    load = { ...load, pausedUntil: 5_000 };
    m.sample(2_000);

    const [r] = m.snapshot(2_000)!;
    expect(r!.attempts).toEqual({ total: 7, ok: 2, status429: 2, status5xx: 1, otherErrors: 2 });
    expect(r!.history.map((h) => [h.attempts, h.status429, h.status5xx, h.paused])).toEqual([
      [6, 1, 1, false],
      [1, 1, 0, true],
    ]);
    expect(r!.pausedUntil).toBe(5_000);
    expect(r!.ratesPerS).toEqual({ attempts: 3.5, status429: 1, status5xx: 0.5 });
    expect(m.snapshot(6_000)![0]!.pausedUntil).toBeNull();

    for (let i = 3; i <= 10; i++) m.sample(i * 1_000);
    const history = m.snapshot(10_000)![0]!.history;
    expect(history.map((h) => h.at)).toEqual([7_000, 8_000, 9_000, 10_000]);
    expect(history.every((h) => h.attempts === 0 && h.inFlight === 3 && h.concurrency === 8)).toBe(true);
  });
});
