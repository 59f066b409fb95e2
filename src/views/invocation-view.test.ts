import { describe, expect, it } from "vitest";
import type { Invocation } from "../domain/invocation.js";
import type { Job } from "../domain/job.js";
import { invocationStatus, toInvocationView } from "./invocation-view.js";

function invocation(status: Job["status"], recordState: Invocation["recordState"]): Invocation {
  const job = {
    id: "inv_1",
    kind: "invocation",
    projectId: "default",
    format: "openai",
    status,
    endpoint: "/v1/chat/completions",
    inputFileId: "file-1",
    completionWindow: "60s",
    metadata: null,
    outputFileId: null,
    errorFileId: null,
    errors: null,
    counts: { total: 1, completed: 0, failed: 0 },
    tally: { succeeded: 0, failed: 0, cancelled: 0, expired: 0 },
    usage: { inputTokens: 0, outputTokens: 0 },
    createdAt: 1_000_000,
    inProgressAt: 1_000_000,
    expiresAt: 9_000_000,
    finalizingAt: null,
    completedAt: null,
    failedAt: null,
    expiredAt: null,
    cancellingAt: null,
    cancelledAt: null,
    webhookUrl: null,
    model: null,
    outputExpiresAfterSeconds: null,
  } satisfies Job;
  return {
    job,
    inferenceId: "caller",
    model: "m",
    route: "r",
    inputBytes: 10,
    ttlUntil: 1_060_000,
    timeoutMs: 5000,
    customAttributes: null,
    recordState,
    attempts: 1,
    error: recordState === "failed" ? { code: "invocation_timeout", message: "slow" } : null,
  };
}

describe("invocation status", () => {
  it("tells queued from running, and success from failure once ended", () => {
    expect(invocationStatus(invocation("in_progress", "pending"))).toBe("queued");
    expect(invocationStatus(invocation("in_progress", "running"))).toBe("in_progress");
    expect(invocationStatus(invocation("in_progress", "succeeded"))).toBe("finalizing");
    expect(invocationStatus(invocation("completed", "succeeded"))).toBe("succeeded");
    expect(invocationStatus(invocation("completed", "failed"))).toBe("failed");
    expect(invocationStatus(invocation("expired", "expired"))).toBe("failed");
    expect(invocationStatus(invocation("cancelled", "cancelled"))).toBe("cancelled");
  });

  it("shows locations under the base URL and the error of a failure", () => {
    const view = toInvocationView(invocation("completed", "failed"), "http://h:1");
    expect(view).toMatchObject({
      id: "inv_1",
      inference_id: "caller",
      status: "failed",
      request_ttl_seconds: 60,
      invocation_timeout_seconds: 5,
      error: { code: "invocation_timeout" },
      status_url: "http://h:1/v1/async/invocations/inv_1",
      output_location: "http://h:1/v1/async/invocations/inv_1/output",
      failure_location: "http://h:1/v1/async/invocations/inv_1/failure",
    });
  });
});
