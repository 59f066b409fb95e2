import type { Job, JobFormat, JobKind, JobStatus } from "../domain/job.js";
import type { RecordState } from "../domain/record.js";
import type { WebhookDelivery } from "../domain/webhook.js";

/** The jobs list's filters; each absent one matches every job. */
export interface JobFilter {
  status?: JobStatus;
  model?: string;
  kind?: JobKind;
  format?: JobFormat;
  /** One project's jobs only (issue 15); absent: every project's. */
  projectId?: string;
}

/** A job's finished records in one time bucket (the throughput chart). */
export interface FinishedBucket {
  /** Epoch ms of the bucket's start (a multiple of the interval). */
  start: number;
  succeeded: number;
  /** Finished in any other way (failed, cancelled, expired). */
  other: number;
}

/** A text cut to a bound, with the whole text's size so a reader knows how much is missing. */
export interface TruncatedText {
  text: string;
  /** UTF-8 bytes of the whole text. */
  bytes: number;
  /** Characters (Unicode code points, as both databases count them) of the whole text. */
  chars: number;
}

/** One finished record shown as an example of its error group. */
export interface RecordSample {
  customId: string;
  position: number;
  line: number;
  state: RecordState;
  attempts: number;
  errorCode: string | null;
  errorMessage: string | null;
  requestBody: TruncatedText;
  responseStatus: number | null;
  responseBody: TruncatedText | null;
}

/**
 * Read-only questions the dashboard asks (docs/dashboard.md). Every one is bounded by an index
 * and a limit, so they stay fast with 10,000 jobs and a 1,000,000-record job: job counts come
 * from the job row, never from counting its records.
 */
export interface InsightStore {
  /** Newest first; `after` is the id of the last job of the previous page. */
  listJobsFiltered(filter: JobFilter & { after?: string; limit: number }): Promise<Job[]>;
  /** Jobs per status among those matching `filter` (its `status` is ignored). */
  countJobsByStatus(filter: Omit<JobFilter, "status">): Promise<Partial<Record<JobStatus, number>>>;
  /** Jobs not yet ended (any status but completed, failed, expired, cancelled), newest first; of one project when given. */
  listActiveJobs(limit: number, projectId?: string): Promise<Job[]>;
  /** Records of the job running now (leased by a worker). */
  countRunningRecords(jobId: string): Promise<number>;
  /** Finished records per `intervalMs` bucket with `from ≤ finished_at < to`, oldest first; empty buckets left out. */
  finishedBuckets(jobId: string, from: number, to: number, intervalMs: number): Promise<FinishedBucket[]>;
  /** Records finished at or after `since`. */
  countFinishedSince(jobId: string, since: number): Promise<number>;
  /** Backend call times (ms) of the job's `limit` most recently finished records that have one. */
  recentLatencies(jobId: string, limit: number): Promise<number[]>;
  /** Failed records per error code, largest first, at most `limit` codes. */
  failedByCode(jobId: string, limit: number): Promise<Array<{ code: string | null; count: number }>>;
  /**
   * Up to `limit` records in input order ending in `state` (and, when given, with `errorCode`;
   * null means "no code"), their bodies cut to `maxChars` characters.
   */
  sampleRecords(
    jobId: string,
    o: { state: RecordState; errorCode?: string | null; limit: number; maxChars: number },
  ): Promise<RecordSample[]>;
  /**
   * Webhook deliveries, newest first, of one job or all (of one project's jobs when `projectId` is
   * given); `after` is the id of the last of the previous page.
   */
  listDeliveries(q: {
    jobId?: string;
    projectId?: string;
    after?: string;
    limit: number;
  }): Promise<WebhookDelivery[]>;
}
