import type { MessageBatchRequestCounts } from "../../../views/anthropic-batch.js";
import type { BatchApiStatus } from "../batch-api-client.js";

/** The fields of Anthropic's `MessageBatch` the client reads. */
export interface MessageBatchObject {
  id: string;
  processing_status: string;
  request_counts: MessageBatchRequestCounts;
  created_at: string;
  cancel_initiated_at?: string | null;
  archived_at?: string | null;
  results_url: string | null;
}

/**
 * `processing_status` onto the clients' vocabulary. An ended batch that was cancelled is
 * `cancelled`; requests it expired or cancelled come back per record from `results`.
 */
export function messageBatchStatus(batch: MessageBatchObject): BatchApiStatus {
  switch (batch.processing_status) {
    case "in_progress":
      return { state: "in_progress", error: null };
    case "canceling":
      return { state: "cancelling", error: null };
    case "ended":
      return { state: batch.cancel_initiated_at ? "cancelled" : "ended", error: null };
    default:
      throw new Error(
        `Message Batch '${batch.id}' has an unknown processing_status '${batch.processing_status}'.`,
      );
  }
}

export function requestTotal(batch: MessageBatchObject): number {
  const c = batch.request_counts;
  return c.processing + c.succeeded + c.errored + c.canceled + c.expired;
}
