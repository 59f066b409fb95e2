/** The dashboard API's shapes (docs/dashboard.md, "Dashboard API"); times are Unix seconds. */

export const JOB_STATUSES = [
  "validating",
  "in_progress",
  "finalizing",
  "completed",
  "failed",
  "expired",
  "cancelling",
  "cancelled",
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface Counts {
  total: number;
  completed: number;
  failed: number;
}

export interface JobSummary {
  id: string;
  kind: "batch" | "invocation";
  project_id: string;
  format: "openai" | "anthropic" | "bedrock";
  status: JobStatus;
  model: string | null;
  endpoint: string;
  created_at: number;
  in_progress_at: number | null;
  ended_at: number | null;
  expires_at: number | null;
  counts: Counts;
  usage: { input_tokens: number; output_tokens: number };
  cost_usd: number | null;
  rate_per_s: number | null;
  eta_s: number | null;
  output_file_id: string | null;
  error_file_id: string | null;
  /** Identical requests once (docs/dedup-and-cache.md); absent when the job used neither. */
  dedup?: {
    deduplicated_requests: number;
    cached_requests: number;
    saved_input_tokens: number;
    saved_output_tokens: number;
    saved_usd: number;
  };
}

export interface JobList {
  /** Who asks: an admin (`all_projects`) sees every project's jobs and may filter by project. */
  viewer?: { project_id: string; all_projects: boolean };
  data: JobSummary[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
  status_counts: Partial<Record<JobStatus, number>>;
  total: number;
}

export interface TextExcerpt {
  text: string;
  truncated: boolean;
  chars: number;
}

export interface RecordSample {
  custom_id: string;
  line: number | null;
  position: number | null;
  state: string;
  attempts: number;
  error: { code: string; message: string } | null;
  request_body: TextExcerpt | null;
  response: { status_code: number; body: TextExcerpt | null } | null;
}

export interface JobDetail extends Omit<JobSummary, "counts"> {
  input_file_id: string | null;
  metadata: Record<string, string> | null;
  errors: {
    data: Array<{ code: string; message: string; line: number | null; param: string | null }>;
  } | null;
  counts: Counts & { cancelled?: number; expired?: number; pending?: number; running?: number };
  throughput: {
    interval_s: number;
    buckets: Array<{ start: number; succeeded: number; failed: number }>;
    recent_rate_per_s: number | null;
  };
  latency_ms: { p50: number | null; p90: number | null; p99: number | null; count: number; sample: number };
  cost: { usd: number | null; input_per_mtok: number | null; output_per_mtok: number | null } | null;
  error_groups: Array<{ code: string; count: number; samples: RecordSample[] }>;
  links: {
    output_file: string | null;
    error_file: string | null;
    input_file: string | null;
    cancel: string | null;
    events: string | null;
    webhook_deliveries: string | null;
  };
}

/** One provider batch job a batch's records ran in (`GET /v1/batches/:id/provider_jobs`). */
export interface ProviderJobView {
  id: string;
  route: string;
  model: string;
  status: string;
  provider_job_id: string | null;
  records: number;
  ingested: number;
  requeued: number;
  error: string | null;
  created_at: number | null;
  submitted_at: number | null;
  ended_at: number | null;
  this_batch: { records: number; succeeded: number; input_tokens: number; output_tokens: number };
}

export interface ProviderJobList {
  data: ProviderJobView[];
  usage: {
    on_demand: { input_tokens: number; output_tokens: number };
    batch: { input_tokens: number; output_tokens: number };
  };
  cost: { on_demand_usd: number; batch_usd: number; total_usd: number; saved_usd: number } | null;
}

export interface RouteHistorySample {
  at: number;
  in_flight: number;
  concurrency: number;
  attempts: number;
  status_429: number;
  status_5xx: number;
  paused: boolean;
}

export interface RouteView {
  name: string;
  models: string[];
  backend_type: string;
  concurrency: number | null;
  adaptive: boolean;
  rpm: number | null;
  tpm: number | null;
  /** Provider batch routes only: Docket's provider jobs holding a slot (null figures: not an admin key). */
  batch?: {
    max_jobs_in_flight: number;
    in_use: number | null;
    by_state: Record<string, number> | null;
  } | null;
  live: {
    in_flight: number;
    queued: number;
    current_concurrency: number;
    paused_until: number | null;
    attempts: { total: number; ok: number; status_429: number; status_5xx: number; other_errors: number };
    rates_per_s: { attempts: number; status_429: number; status_5xx: number };
  } | null;
  history: RouteHistorySample[];
}

export interface RouteList {
  worker_stats: "live" | "none";
  data: RouteView[];
}

export interface WebhookDelivery {
  id: string;
  job_id: string;
  event: string;
  url: string;
  state: "pending" | "delivered" | "failed";
  attempts: number;
  created_at: number;
  next_attempt_at: number | null;
  delivered_at: number | null;
  log: Array<{ at: number; status: number | null; error: string | null; duration_ms: number | null }>;
}

export interface WebhookList {
  data: WebhookDelivery[];
  has_more: boolean;
  last_id: string | null;
}

/** `/v1/dashboard/events`' `jobs` event. */
export interface JobsChanged {
  changed: JobSummary[];
  status_counts: Partial<Record<JobStatus, number>>;
  total: number;
}

/** What `/v1/events?job=` sends: the job as the API shows it, plus its recent rate. */
export interface JobEventData {
  status: JobStatus;
  request_counts?: Counts;
  rate_per_second?: number;
}
