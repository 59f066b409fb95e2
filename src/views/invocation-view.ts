import { toSeconds } from "../domain/duration.js";
import type { Invocation } from "../domain/invocation.js";

export type InvocationStatus =
  | "queued"
  | "in_progress"
  | "finalizing"
  | "succeeded"
  | "failed"
  | "cancelling"
  | "cancelled";

/** The API's `async_invocation` object (docs/async-and-events.md). */
export interface InvocationView {
  id: string;
  object: "async_invocation";
  inference_id: string;
  status: InvocationStatus;
  model: string;
  endpoint: string;
  created_at: number;
  completed_at: number | null;
  request_ttl_seconds: number;
  invocation_timeout_seconds: number;
  input_bytes: number;
  input_file_id: string;
  attempts: number;
  error: { code: string; message: string } | null;
  webhook_url: string | null;
  status_url: string;
  output_location: string;
  failure_location: string;
  output_file_id: string | null;
  failure_file_id: string | null;
}

/** One status a caller can act on, from the job's state and its one record's. */
export function invocationStatus(inv: Invocation): InvocationStatus {
  switch (inv.job.status) {
    case "in_progress":
      if (inv.recordState === "pending") return "queued";
      return inv.recordState === "running" ? "in_progress" : "finalizing";
    case "finalizing":
      return "finalizing";
    case "completed":
      return inv.recordState === "succeeded" ? "succeeded" : "failed";
    case "cancelling":
      return "cancelling";
    case "cancelled":
      return "cancelled";
    default:
      return "failed";
  }
}

/** `base` makes the locations absolute (`http://host:port`); "" leaves them as paths. */
export function toInvocationView(inv: Invocation, base: string): InvocationView {
  const job = inv.job;
  const path = `${base}/v1/async/invocations/${encodeURIComponent(job.id)}`;
  const ended = job.completedAt ?? job.failedAt ?? job.expiredAt ?? job.cancelledAt;
  return {
    id: job.id,
    object: "async_invocation",
    inference_id: inv.inferenceId,
    status: invocationStatus(inv),
    model: inv.model,
    endpoint: job.endpoint,
    created_at: toSeconds(job.createdAt),
    completed_at: toSeconds(ended),
    request_ttl_seconds: Math.round((inv.ttlUntil - job.createdAt) / 1000),
    invocation_timeout_seconds: inv.timeoutMs / 1000,
    input_bytes: inv.inputBytes,
    input_file_id: job.inputFileId,
    attempts: inv.attempts,
    error: inv.recordState === "succeeded" ? null : inv.error,
    webhook_url: job.webhookUrl ?? null,
    status_url: path,
    output_location: `${path}/output`,
    failure_location: `${path}/failure`,
    output_file_id: job.outputFileId,
    failure_file_id: job.errorFileId,
  };
}
