import { describe, expect, it } from "vitest";
import type { Job } from "../domain/job.js";
import { toMessageBatch, toMessageBatchPage } from "./anthropic-batch.js";

const job: Job = {
  projectId: "default",
  id: "msgbatch_1",
  kind: "batch",
  format: "anthropic",
  status: "in_progress",
  endpoint: "/v1/messages",
  inputFileId: "file-in",
  completionWindow: "24h",
  metadata: null,
  outputFileId: null,
  errorFileId: null,
  errors: null,
  counts: { total: 10, completed: 3, failed: 2 },
  tally: { succeeded: 3, failed: 2, cancelled: 0, expired: 0 },
  usage: { inputTokens: 0, outputTokens: 0 },
  createdAt: Date.UTC(2026, 10, 30, 8, 0, 0, 123),
  inProgressAt: Date.UTC(2026, 10, 30, 8, 0, 1),
  expiresAt: Date.UTC(2026, 11, 1, 8, 0, 0, 123),
  finalizingAt: null,
  completedAt: null,
  failedAt: null,
  expiredAt: null,
  cancellingAt: null,
  cancelledAt: null,
  model: "claude-x",
  outputExpiresAfterSeconds: null,
};
const ORIGIN = "http://127.0.0.1:8080";

describe("toMessageBatch", () => {
  it("renders a running batch field by field, with live counts that sum to the total", () => {
    expect(toMessageBatch(job, ORIGIN)).toEqual({
      id: "msgbatch_1",
      type: "message_batch",
      processing_status: "in_progress",
      request_counts: { processing: 5, succeeded: 3, errored: 2, canceled: 0, expired: 0 },
      created_at: "2026-11-30T08:00:00.123Z",
      expires_at: "2026-12-01T08:00:00.123Z",
      ended_at: null,
      cancel_initiated_at: null,
      archived_at: null,
      results_url: null,
    });
    expect(toMessageBatch({ ...job, parentJobId: "msgbatch_0" }, ORIGIN).parent_batch_id).toBe("msgbatch_0");
  });

  it("is canceling from the cancel until the job ends, then ended with a results URL", () => {
    const cancelling = { ...job, status: "cancelling" as const, cancellingAt: Date.UTC(2026, 10, 30, 9) };
    expect(toMessageBatch(cancelling, ORIGIN)).toMatchObject({
      processing_status: "canceling",
      cancel_initiated_at: "2026-11-30T09:00:00.000Z",
      results_url: null,
    });
    const finalizing = { ...cancelling, status: "finalizing" as const };
    expect(toMessageBatch(finalizing, ORIGIN).processing_status).toBe("canceling");
    const ended = {
      ...cancelling,
      status: "cancelled" as const,
      cancelledAt: Date.UTC(2026, 10, 30, 9, 0, 5),
      tally: { succeeded: 3, failed: 2, cancelled: 5, expired: 0 },
    };
    expect(toMessageBatch(ended, ORIGIN)).toMatchObject({
      processing_status: "ended",
      ended_at: "2026-11-30T09:00:05.000Z",
      request_counts: { processing: 0, succeeded: 3, errored: 2, canceled: 5, expired: 0 },
      results_url: "http://127.0.0.1:8080/v1/messages/batches/msgbatch_1/results",
    });
  });

  it("ends at whichever end time the job has (completed, expired)", () => {
    const at = Date.UTC(2026, 10, 30, 10);
    expect(toMessageBatch({ ...job, status: "completed", completedAt: at }, ORIGIN).ended_at).toBe(
      "2026-11-30T10:00:00.000Z",
    );
    expect(toMessageBatch({ ...job, status: "expired", expiredAt: at }, ORIGIN).ended_at).toBe(
      "2026-11-30T10:00:00.000Z",
    );
  });
});

describe("toMessageBatchPage", () => {
  const rows = ["c", "b", "a"].map((id) => ({ ...job, id }));

  it("pages towards older batches: the extra row (the oldest) only says there is more", () => {
    expect(toMessageBatchPage(rows, 2, ORIGIN, false)).toMatchObject({
      data: [{ id: "c" }, { id: "b" }],
      has_more: true,
      first_id: "c",
      last_id: "b",
    });
  });

  it("pages towards newer batches: the extra row is the newest, at the front", () => {
    expect(toMessageBatchPage(rows, 2, ORIGIN, true)).toMatchObject({
      data: [{ id: "b" }, { id: "a" }],
      has_more: true,
      first_id: "b",
      last_id: "a",
    });
  });

  it("an empty page has no cursors", () => {
    expect(toMessageBatchPage([], 20, ORIGIN, false)).toEqual({
      data: [],
      has_more: false,
      first_id: null,
      last_id: null,
    });
  });
});
