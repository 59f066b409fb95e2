import { describe, expect, it } from "vitest";
import { outcomeWrite } from "./outcome-write.js";

const response = { statusCode: 200, requestId: "req_1", body: '{"ok":true}' };

describe("outcomeWrite", () => {
  it("writes a success with its answer and usage", () => {
    const w = outcomeWrite(
      {
        recordId: 1,
        attempt: 1,
        latencyMs: 12,
        outcome: { kind: "succeeded", response, usage: { inputTokens: 3, outputTokens: 4 } },
      },
      1000,
    );
    expect(w).toEqual({
      state: "succeeded",
      runAt: 0,
      statusCode: 200,
      requestId: "req_1",
      body: '{"ok":true}',
      errorCode: null,
      errorMessage: null,
      inputTokens: 3,
      outputTokens: 4,
      finishedAt: 1000,
      latencyMs: 12,
    });
  });

  it("writes a final failure with its error and no usage", () => {
    const w = outcomeWrite(
      {
        recordId: 1,
        attempt: 2,
        outcome: { kind: "failed", response: null, error: { code: "bad", message: "no" } },
      },
      2000,
    );
    expect(w).toMatchObject({ state: "failed", runAt: 0, statusCode: null, body: null, errorCode: "bad" });
    expect(w).toMatchObject({ inputTokens: null, outputTokens: null, finishedAt: 2000, latencyMs: null });
  });

  it("writes a retry as pending from its due time (the store decides whether attempts are used up)", () => {
    const w = outcomeWrite(
      {
        recordId: 1,
        attempt: 1,
        outcome: {
          kind: "retry",
          runAt: 5000,
          response: { ...response, statusCode: 429 },
          error: { code: "rate_limited", message: "slow down" },
        },
      },
      3000,
    );
    expect(w).toMatchObject({ state: "pending", runAt: 5000, statusCode: 429, errorCode: "rate_limited" });
    expect(w.errorMessage).toBe("slow down");
  });

  it("writes a success without usage as null token counts", () => {
    const w = outcomeWrite(
      { recordId: 1, attempt: 1, outcome: { kind: "succeeded", response, usage: null } },
      1,
    );
    expect(w).toMatchObject({ inputTokens: null, outputTokens: null });
  });
});
