import { describe, expect, it } from "vitest";
import { isOpenAiBatchInFlight, openAiBatchStatus } from "./openai-batch-status.js";

const batch = (status: string, errors: unknown = null) =>
  ({ id: "batch_1", status, created_at: 0, errors }) as Parameters<typeof openAiBatchStatus>[0];

describe("openAiBatchStatus", () => {
  it("maps OpenAI's statuses onto the clients' states", () => {
    expect(openAiBatchStatus(batch("completed"))).toEqual({ state: "ended", error: null });
    for (const s of ["validating", "in_progress", "finalizing", "expired", "cancelling", "cancelled"]) {
      expect(openAiBatchStatus(batch(s)).state).toBe(s);
    }
    expect(() => openAiBatchStatus(batch("paused"))).toThrow(/unknown status 'paused'/);
  });

  it("names the first validation error of a failed batch, with its line", () => {
    const failed = batch("failed", { data: [{ code: "invalid_json_line", message: "bad", line: 3 }] });
    expect(openAiBatchStatus(failed)).toEqual({ state: "failed", error: "invalid_json_line: bad (line 3)" });
    expect(openAiBatchStatus(batch("failed")).error).toMatch(/without a reason/);
  });

  it("counts validating, in-progress and finalizing batches as in flight", () => {
    expect(["validating", "in_progress", "finalizing"].every(isOpenAiBatchInFlight)).toBe(true);
    expect(["completed", "failed", "expired", "cancelling", "cancelled"].some(isOpenAiBatchInFlight)).toBe(
      false,
    );
  });
});
