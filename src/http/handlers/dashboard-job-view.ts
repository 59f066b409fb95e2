import type { ModelPricing } from "../../budget/job-pricing.js";
import { toSeconds } from "../../domain/duration.js";
import { isTerminalJobStatus, type Job } from "../../domain/job.js";
import { type DedupUsageView, dedupUsageView } from "../../views/dedup-usage.js";
import { averageRate, costUsd, etaSeconds } from "./dashboard-stats.js";

/** A job as the dashboard's list shows it (docs/dashboard.md, `JobSummary`). */
export interface DashboardJob {
  id: string;
  object: "dashboard.job";
  kind: Job["kind"];
  /** The project the job belongs to (issue 15, docs/security.md). */
  project_id: string;
  format: Job["format"];
  status: Job["status"];
  model: string | null;
  endpoint: string;
  created_at: number;
  in_progress_at: number | null;
  ended_at: number | null;
  expires_at: number;
  counts: { total: number; completed: number; failed: number };
  usage: { input_tokens: number; output_tokens: number };
  cost_usd: number | null;
  rate_per_s: number | null;
  eta_s: number | null;
  output_file_id: string | null;
  error_file_id: string | null;
  /** Identical requests once (docs/dedup-and-cache.md); absent when the job used neither. */
  dedup?: DedupUsageView;
}

/** When the job reached its terminal status, if it has. */
export function endedAt(job: Job): number | null {
  if (!isTerminalJobStatus(job.status)) return null;
  return job.completedAt ?? job.failedAt ?? job.expiredAt ?? job.cancelledAt ?? null;
}

/** Records that will not run again, whatever they ended as. */
export function finishedRecords(job: Job): number {
  const t = job.tally;
  return t.succeeded + t.failed + t.cancelled + t.expired;
}

/** Every figure from the job row alone: nothing here reads records. */
export function toDashboardJob(job: Job, now: number, pricing: ModelPricing | undefined): DashboardJob {
  const finished = finishedRecords(job);
  const rate = averageRate({
    finished: job.counts.completed + job.counts.failed,
    inProgressAt: job.inProgressAt,
    ended: isTerminalJobStatus(job.status),
    now,
  });
  return {
    id: job.id,
    object: "dashboard.job",
    kind: job.kind,
    project_id: job.projectId,
    format: job.format,
    status: job.status,
    model: job.model,
    endpoint: job.endpoint,
    created_at: toSeconds(job.createdAt),
    in_progress_at: toSeconds(job.inProgressAt),
    ended_at: toSeconds(endedAt(job)),
    expires_at: toSeconds(job.expiresAt),
    counts: { ...job.counts },
    usage: { input_tokens: job.usage.inputTokens, output_tokens: job.usage.outputTokens },
    cost_usd: job.model && pricing ? costUsd(job.usage, pricing(job.model)) : null,
    rate_per_s: rate,
    eta_s: etaSeconds(job.counts.total - finished, rate),
    output_file_id: job.outputFileId,
    error_file_id: job.errorFileId,
    ...dedupMember(job),
  };
}

function dedupMember(job: Job): { dedup?: DedupUsageView } {
  const dedup = dedupUsageView(job);
  return dedup ? { dedup } : {};
}
