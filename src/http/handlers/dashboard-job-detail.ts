import type { ModelPricing } from "../../budget/job-pricing.js";
import { toSeconds } from "../../domain/duration.js";
import type { Job } from "../../domain/job.js";
import type { RecordState } from "../../domain/record.js";
import type { RecordSample, TruncatedText } from "../../store/insight-store.js";
import type { Store } from "../../store/store.js";
import { type DashboardJob, endedAt, finishedRecords, toDashboardJob } from "./dashboard-job-view.js";
import { latencySummary, throughputInterval } from "./dashboard-stats.js";

/** Bounds of the job page (docs/dashboard.md): each one keeps a huge job's page cheap. */
export const JOB_PAGE_LIMITS = {
  /** Bodies in error samples are cut to this many characters. */
  sampleChars: 4096,
  samplesPerGroup: 3,
  errorGroups: 20,
  /** Latency percentiles are over this many most recently finished records. */
  latencySample: 10_000,
  /** The recent rate is over this trailing window. */
  recentRateMs: 10_000,
} as const;

/** The job page's data: the summary plus throughput, latency, cost, grouped errors and links. */
export async function dashboardJobDetail(
  store: Store,
  job: Job,
  now: number,
  pricing: ModelPricing | undefined,
): Promise<Record<string, unknown>> {
  const ended = endedAt(job);
  const [running, throughput, recent, latencies, errorGroups] = await Promise.all([
    store.countRunningRecords(job.id),
    throughputBuckets(store, job, ended ?? now),
    ended === null
      ? store.countFinishedSince(job.id, now - JOB_PAGE_LIMITS.recentRateMs)
      : Promise.resolve(null),
    store.recentLatencies(job.id, JOB_PAGE_LIMITS.latencySample),
    errorGroupsOf(store, job),
  ]);
  const summary: DashboardJob = toDashboardJob(job, now, pricing);
  const t = job.tally;
  const price = job.model && pricing ? pricing(job.model) : null;
  return {
    ...summary,
    input_file_id: job.inputFileId,
    metadata: job.metadata,
    // OpenAI's shape (`batch.errors`): the validation problems, by line.
    errors: job.errors ? { object: "list", data: job.errors } : null,
    counts: {
      ...summary.counts,
      succeeded: t.succeeded,
      cancelled: t.cancelled,
      expired: t.expired,
      running,
      pending: Math.max(0, job.counts.total - finishedRecords(job) - running),
    },
    throughput: {
      ...throughput,
      recent_rate_per_s: recent === null ? null : recent / (JOB_PAGE_LIMITS.recentRateMs / 1000),
    },
    latency_ms: latencySummary(latencies),
    cost: {
      usd: summary.cost_usd,
      input_per_mtok: price?.inputPerMTok ?? null,
      output_per_mtok: price?.outputPerMTok ?? null,
    },
    error_groups: errorGroups,
    links: linksOf(job),
  };
}

async function throughputBuckets(store: Store, job: Job, until: number) {
  const from = job.inProgressAt ?? job.createdAt;
  const to = Math.max(from, until) + 1;
  const interval = throughputInterval(to - from);
  const first = Math.floor(from / interval) * interval;
  const rows = await store.finishedBuckets(job.id, first, to, interval);
  const byStart = new Map(rows.map((r) => [r.start, r]));
  const buckets: Array<{ start: number; succeeded: number; failed: number }> = [];
  for (let start = first; start < to; start += interval) {
    const r = byStart.get(start);
    buckets.push({ start: toSeconds(start), succeeded: r?.succeeded ?? 0, failed: r?.other ?? 0 });
  }
  return { interval_s: interval / 1000, buckets };
}

interface ErrorGroup {
  code: string;
  count: number;
  samples: ReturnType<typeof sampleView>[];
}

/** Failed records by code, then the job's cancelled and expired records, largest group first. */
async function errorGroupsOf(store: Store, job: Job): Promise<ErrorGroup[]> {
  const limits = JOB_PAGE_LIMITS;
  const sample = async (state: RecordState, errorCode?: string | null) =>
    (
      await store.sampleRecords(job.id, {
        state,
        errorCode,
        limit: limits.samplesPerGroup,
        maxChars: limits.sampleChars,
      })
    ).map(sampleView);
  const failed = job.tally.failed > 0 ? await store.failedByCode(job.id, limits.errorGroups) : [];
  const groups: ErrorGroup[] = await Promise.all(
    failed.map(async (g) => ({
      code: g.code ?? "unknown",
      count: g.count,
      samples: await sample("failed", g.code),
    })),
  );
  for (const state of ["cancelled", "expired"] as const) {
    const count = job.tally[state];
    if (count > 0) groups.push({ code: state, count, samples: await sample(state) });
  }
  return groups.sort((a, b) => b.count - a.count).slice(0, limits.errorGroups);
}

function sampleView(r: RecordSample) {
  return {
    custom_id: r.customId,
    line: r.line,
    position: r.position,
    state: r.state,
    attempts: r.attempts,
    error:
      r.errorCode === null && r.errorMessage === null ? null : { code: r.errorCode, message: r.errorMessage },
    request_body: textView(r.requestBody),
    response:
      r.responseStatus === null && r.responseBody === null
        ? null
        : { status_code: r.responseStatus, body: r.responseBody && textView(r.responseBody) },
  };
}

function textView(t: TruncatedText) {
  return { text: t.text, truncated: t.bytes > Buffer.byteLength(t.text), chars: t.chars, bytes: t.bytes };
}

function linksOf(job: Job) {
  const id = encodeURIComponent(job.id);
  const file = (fileId: string | null) => (fileId ? `/v1/files/${encodeURIComponent(fileId)}/content` : null);
  const batch = job.kind === "batch";
  return {
    input_file: batch ? file(job.inputFileId) : null,
    output_file: file(job.outputFileId),
    error_file: file(job.errorFileId),
    batch: batch ? (job.format === "anthropic" ? `/v1/messages/batches/${id}` : `/v1/batches/${id}`) : null,
    events: `/v1/events?job=${id}`,
    webhook_deliveries: `/v1/dashboard/webhooks?job=${id}`,
    cancel: batch ? `/v1/batches/${id}/cancel` : null,
  };
}
