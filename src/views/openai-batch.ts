import { toSeconds } from "../domain/duration.js";
import type { Job } from "../domain/job.js";
import { type DedupUsageView, dedupUsageView } from "./dedup-usage.js";

export interface OpenAiBatchError {
  code: string;
  message: string;
  param: string | null;
  line: number | null;
}

/** OpenAI's `batch` object, field for field. */
export interface OpenAiBatch {
  id: string;
  object: "batch";
  endpoint: string;
  model: string | null;
  errors: { object: "list"; data: OpenAiBatchError[] } | null;
  input_file_id: string;
  completion_window: string;
  status: string;
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  in_progress_at: number | null;
  expires_at: number;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  expired_at: number | null;
  cancelling_at: number | null;
  cancelled_at: number | null;
  request_counts: { total: number; completed: number; failed: number };
  metadata: Record<string, string> | null;
  usage: OpenAiBatchUsage;
  /** Docket extension: the batch this one retries (docs/lineage.md); absent on a batch made from a file. */
  parent_batch_id?: string;
  /** Docket extension: identical requests once (docs/dedup-and-cache.md); absent when the batch used neither. */
  dedup?: DedupUsageView;
}

/**
 * OpenAI's `BatchUsage`, whose SDK type requires both detail objects. Backends' usage is summed
 * as input and output tokens only, so `cached_tokens` and `reasoning_tokens` are always 0.
 */
export interface OpenAiBatchUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export function toOpenAiBatch(job: Job): OpenAiBatch {
  const dedup = dedupUsageView(job);
  return {
    id: job.id,
    object: "batch",
    endpoint: job.endpoint,
    // The model of the input's requests, known once validation has read them.
    model: job.model ?? null,
    errors: job.errors
      ? {
          object: "list",
          data: job.errors.map((e) => ({ code: e.code, message: e.message, param: e.param, line: e.line })),
        }
      : null,
    input_file_id: job.inputFileId,
    completion_window: job.completionWindow,
    status: job.status,
    output_file_id: job.outputFileId,
    error_file_id: job.errorFileId,
    created_at: toSeconds(job.createdAt),
    in_progress_at: toSeconds(job.inProgressAt),
    expires_at: toSeconds(job.expiresAt),
    finalizing_at: toSeconds(job.finalizingAt),
    completed_at: toSeconds(job.completedAt),
    failed_at: toSeconds(job.failedAt),
    expired_at: toSeconds(job.expiredAt),
    cancelling_at: toSeconds(job.cancellingAt),
    cancelled_at: toSeconds(job.cancelledAt),
    request_counts: { total: job.counts.total, completed: job.counts.completed, failed: job.counts.failed },
    metadata: job.metadata,
    ...(job.parentJobId ? { parent_batch_id: job.parentJobId } : {}),
    usage: {
      input_tokens: job.usage.inputTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: job.usage.outputTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: job.usage.inputTokens + job.usage.outputTokens,
    },
    ...(dedup ? { dedup } : {}),
  };
}
