import { describe, expect, it } from "vitest";
import { type MessageBatchObject, messageBatchStatus, requestTotal } from "./anthropic-batch-status.js";

const batch = (processing_status: string, cancel_initiated_at: string | null = null): MessageBatchObject => ({
  id: "msgbatch_1",
  processing_status,
  request_counts: { processing: 1, succeeded: 2, errored: 3, canceled: 4, expired: 5 },
  created_at: "2026-01-01T00:00:00Z",
  cancel_initiated_at,
  results_url: null,
});

describe("messageBatchStatus", () => {
  it("maps processing_status, a cancelled batch ending cancelled", () => {
    expect(messageBatchStatus(batch("in_progress")).state).toBe("in_progress");
    expect(messageBatchStatus(batch("canceling", "2026-01-01T00:00:01Z")).state).toBe("cancelling");
    expect(messageBatchStatus(batch("ended"))).toEqual({ state: "ended", error: null });
    expect(messageBatchStatus(batch("ended", "2026-01-01T00:00:01Z")).state).toBe("cancelled");
    expect(() => messageBatchStatus(batch("queued"))).toThrow(/unknown processing_status/);
  });

  it("totals the request counts", () => {
    expect(requestTotal(batch("ended"))).toBe(15);
  });
});
