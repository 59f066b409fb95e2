import { isTerminalJobStatus, type Job } from "../domain/job.js";
import { type DedupUsageView, dedupUsageView } from "./dedup-usage.js";

/** A MessageBatch's requests by state; they always sum to the batch's total. */
export interface MessageBatchRequestCounts {
  processing: number;
  succeeded: number;
  errored: number;
  canceled: number;
  expired: number;
}

/** Anthropic's `MessageBatch`, field for field (the SDK's type in @anthropic-ai/sdk resources/messages/batches). */
export interface MessageBatch {
  id: string;
  type: "message_batch";
  processing_status: "in_progress" | "canceling" | "ended";
  request_counts: MessageBatchRequestCounts;
  /** RFC 3339 times, as Anthropic writes them. */
  created_at: string;
  expires_at: string;
  ended_at: string | null;
  cancel_initiated_at: string | null;
  /** Docket keeps results until their retention and then forgets the batch: never archived. */
  archived_at: null;
  results_url: string | null;
  /** Docket extension: the batch this one retries (docs/lineage.md); absent on a batch made from requests. */
  parent_batch_id?: string;
  /** Docket extension: identical requests once (docs/dedup-and-cache.md); absent when the batch used neither. */
  dedup?: DedupUsageView;
}

/** Anthropic's list page: newest first, `first_id`/`last_id` are the cursors for `before_id`/`after_id`. */
export interface MessageBatchPage {
  data: MessageBatch[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

/**
 * A job of format `anthropic` as a MessageBatch. `origin` is Docket's own base URL
 * (`http://host:port`): `results_url` is absolute, as Anthropic's is, and set once the batch ended.
 *
 * Counts are live (Anthropic leaves every request `processing` until the whole batch ends; Docket
 * moves each as it finishes, which keeps the documented invariant: they always sum to the total).
 * A record failed at validation or by its backend is `errored`; a budget stop's records `canceled`.
 */
export function toMessageBatch(job: Job, origin: string): MessageBatch {
  const ended = isTerminalJobStatus(job.status);
  const { succeeded, failed, cancelled, expired } = job.tally;
  return {
    id: job.id,
    type: "message_batch",
    processing_status: ended ? "ended" : job.cancellingAt !== null ? "canceling" : "in_progress",
    request_counts: {
      processing: Math.max(0, job.counts.total - succeeded - failed - cancelled - expired),
      succeeded,
      errored: failed,
      canceled: cancelled,
      expired,
    },
    created_at: rfc3339(job.createdAt),
    expires_at: rfc3339(job.expiresAt),
    ended_at: ended ? rfc3339(endedAt(job)) : null,
    cancel_initiated_at: job.cancellingAt === null ? null : rfc3339(job.cancellingAt),
    archived_at: null,
    results_url: ended ? `${origin}/v1/messages/batches/${encodeURIComponent(job.id)}/results` : null,
    ...(job.parentJobId ? { parent_batch_id: job.parentJobId } : {}),
    ...dedupMember(job),
  };
}

function dedupMember(job: Job): { dedup?: DedupUsageView } {
  const dedup = dedupUsageView(job);
  return dedup ? { dedup } : {};
}

/** A page from rows fetched with `limit + 1` (the extra row only tells whether more exist). */
export function toMessageBatchPage(
  rows: Job[],
  limit: number,
  origin: string,
  towardsNewer: boolean,
): MessageBatchPage {
  // Paging towards newer batches (`before_id`) the extra row is the newest one, at the front.
  const page =
    rows.length > limit ? (towardsNewer ? rows.slice(rows.length - limit) : rows.slice(0, limit)) : rows;
  const data = page.map((job) => toMessageBatch(job, origin));
  return {
    data,
    has_more: rows.length > limit,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
  };
}

function endedAt(job: Job): number {
  return (
    job.completedAt ?? job.cancelledAt ?? job.expiredAt ?? job.failedAt ?? job.finalizingAt ?? job.createdAt
  );
}

/** RFC 3339 in UTC with milliseconds (`2026-11-30T08:21:26.123Z`), which the SDK passes through as text. */
function rfc3339(ms: number): string {
  return new Date(ms).toISOString();
}
