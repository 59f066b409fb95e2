import { describe, expect, it } from "vitest";
import { SlidingWindowLimit, WINDOW_MS } from "./sliding-window-limit.js";

describe("SlidingWindowLimit", () => {
  it("refuses the request over the rpm and says when the oldest one expires", () => {
    const limit = new SlidingWindowLimit(3, Number.POSITIVE_INFINITY);
    expect(limit.admit(1, 1000).ok).toBe(true);
    expect(limit.admit(1, 2000).ok).toBe(true);
    expect(limit.admit(1, 5000).ok).toBe(true);
    const refused = limit.admit(1, 10_000);
    expect(refused).toMatchObject({ ok: false, kind: "requests", retryAfterMs: 1000 + WINDOW_MS - 10_000 });
    // Exactly when it said, there is room again.
    expect(limit.admit(1, 1000 + WINDOW_MS).ok).toBe(true);
    expect(limit.admit(1, 1000 + WINDOW_MS).ok).toBe(false);
  });

  it("counts tokens and waits for enough of them to expire", () => {
    const limit = new SlidingWindowLimit(Number.POSITIVE_INFINITY, 100);
    expect(limit.admit(40, 0).ok).toBe(true);
    expect(limit.admit(40, 10).ok).toBe(true);
    expect(limit.admit(20, 20).ok).toBe(true);
    // 100 used; 50 more needs the first two (80 tokens) to expire.
    const refused = limit.admit(50, 30);
    expect(refused).toMatchObject({ ok: false, kind: "tokens", retryAfterMs: 10 + WINDOW_MS - 30 });
    expect(limit.admit(50, 10 + WINDOW_MS).ok).toBe(true);
  });

  it("refuses a request larger than the whole tpm without a retry time", () => {
    const limit = new SlidingWindowLimit(Number.POSITIVE_INFINITY, 100);
    expect(limit.admit(101, 0)).toMatchObject({ ok: false, kind: "tokens", retryAfterMs: null });
  });

  it("reports what remains and admits a steady rate under the limits", () => {
    const limit = new SlidingWindowLimit(10, 1000);
    const first = limit.admit(100, 0);
    expect(first).toMatchObject({ ok: true, remainingRequests: 9, remainingTokens: 900 });
    let admitted = 1;
    for (let t = 7000; t < 50 * WINDOW_MS; t += 7000) if (limit.admit(100, t).ok) admitted++;
    // One every 7 s is ~8.6 a minute, under both limits: all admitted.
    expect(admitted).toBe(Math.ceil((50 * WINDOW_MS) / 7000));
    expect(limit.active).toBe(true);
    expect(new SlidingWindowLimit(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY).active).toBe(false);
  });
});
