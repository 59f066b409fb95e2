import { describe, expect, it } from "vitest";
import { outcomeOf } from "./outcome-of.js";

const failure = (over: object) => ({
  ok: false as const,
  retryable: true,
  retryAfterMs: null,
  statusCode: 429,
  requestId: "r",
  body: '{"error":{}}',
  code: "http_429",
  message: "slow down",
  ...over,
});

describe("outcomeOf", () => {
  it("keeps a success verbatim with its usage", () => {
    const o = outcomeOf(
      { ok: true, statusCode: 200, requestId: "x", body: "{}", usage: { inputTokens: 1, outputTokens: 2 } },
      1,
      0,
    );
    expect(o).toEqual({
      kind: "succeeded",
      response: { statusCode: 200, requestId: "x", body: "{}" },
      usage: { inputTokens: 1, outputTokens: 2 },
    });
  });

  it("fails a non-retryable answer at once, keeping status and body", () => {
    const o = outcomeOf(failure({ retryable: false, statusCode: 400, code: "http_400" }), 1, 0);
    expect(o).toMatchObject({ kind: "failed", response: { statusCode: 400, body: '{"error":{}}' } });
  });

  it("schedules a retry no sooner than Retry-After", () => {
    const o = outcomeOf(failure({ retryAfterMs: 7000 }), 1, 1000, { baseMs: 10, capMs: 100 });
    expect(o.kind).toBe("retry");
    if (o.kind === "retry") expect(o.runAt).toBe(8000);
  });

  it("backs off within the exponential ceiling when no Retry-After is given", () => {
    for (let i = 0; i < 50; i++) {
      const o = outcomeOf(failure({ statusCode: null, body: null, code: "timeout" }), 3, 0, {
        baseMs: 100,
        capMs: 10_000,
      });
      if (o.kind !== "retry") throw new Error("expected retry");
      expect(o.runAt).toBeGreaterThanOrEqual(0);
      expect(o.runAt).toBeLessThanOrEqual(400);
      expect(o.response).toBeNull();
    }
  });
});
