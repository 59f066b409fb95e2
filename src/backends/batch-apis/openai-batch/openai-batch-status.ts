import type { BatchApiStatus } from "../batch-api-client.js";

/** The fields of OpenAI's `batch` object the client reads. */
export interface OpenAiBatchObject {
  id: string;
  status: string;
  model?: string | null;
  created_at: number;
  metadata?: Record<string, string> | null;
  output_file_id?: string | null;
  error_file_id?: string | null;
  errors?: { data?: { code?: string; message?: string; line?: number | null }[] } | null;
}

const STATES: Record<string, BatchApiStatus["state"]> = {
  validating: "validating",
  in_progress: "in_progress",
  finalizing: "finalizing",
  completed: "ended",
  failed: "failed",
  expired: "expired",
  cancelling: "cancelling",
  cancelled: "cancelled",
};

/** OpenAI's batch statuses onto the clients' vocabulary; `failed` carries the first validation error. */
export function openAiBatchStatus(batch: OpenAiBatchObject): BatchApiStatus {
  const state = STATES[batch.status];
  if (!state) throw new Error(`OpenAI batch '${batch.id}' has an unknown status '${batch.status}'.`);
  const first = batch.errors?.data?.[0];
  const error =
    state === "failed"
      ? first
        ? `${first.code ?? "failed"}: ${first.message ?? ""}${typeof first.line === "number" ? ` (line ${first.line})` : ""}`
        : "The batch failed without a reason."
      : null;
  return { state, error };
}

/** Batches that hold one of the provider's slots (and its enqueued tokens). */
export function isOpenAiBatchInFlight(status: string): boolean {
  return status === "validating" || status === "in_progress" || status === "finalizing";
}
