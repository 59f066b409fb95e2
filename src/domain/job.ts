import type { JobDedup } from "./dedup.js";

/** Lifecycle of a job; a superset of OpenAI's batch statuses (see docs/architecture.md). */
export type JobStatus =
  | "validating"
  | "failed"
  | "in_progress"
  | "finalizing"
  | "completed"
  | "expired"
  | "cancelling"
  | "cancelled";

export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ["failed", "completed", "expired", "cancelled"];

export function isTerminalJobStatus(status: JobStatus): boolean {
  return TERMINAL_JOB_STATUSES.includes(status);
}

/**
 * What a job's records ask for: an OpenAI endpoint, Anthropic's Messages (`/v1/messages`), or
 * Bedrock Runtime's native InvokeModel for one model (`/model/{modelId}/invoke`, the id URL-encoded,
 * exactly Bedrock's own REST path), which a Bedrock batch file's job names.
 */
export type Endpoint =
  | "/v1/chat/completions"
  | "/v1/completions"
  | "/v1/embeddings"
  | "/v1/responses"
  | "/v1/messages"
  | BedrockInvokeEndpoint;

export type BedrockInvokeEndpoint = `/model/${string}/invoke`;

/** What `POST /v1/batches` accepts as `endpoint` (`/v1/messages` is a Docket extension). */
export const ENDPOINTS: readonly Endpoint[] = [
  "/v1/chat/completions",
  "/v1/completions",
  "/v1/embeddings",
  "/v1/responses",
  "/v1/messages",
];

/** Bedrock Runtime's InvokeModel path for a model id or ARN. */
export function bedrockInvokeEndpoint(modelId: string): BedrockInvokeEndpoint {
  return `/model/${encodeURIComponent(modelId)}/invoke`;
}

/**
 * The dialect of a job's input and outputs. `openai`: a Files/Batches input file and OpenAI's
 * output and error files. `anthropic`: a Message Batch created on `/v1/messages/batches`, whose
 * results are Anthropic's JSONL. `bedrock`: a Bedrock batch inference file (`recordId`,
 * `modelInput`; the model named on the job) whose output is `<input>.out` plus a manifest.
 * Underneath all three are the same jobs and records.
 */
export type JobFormat = "openai" | "anthropic" | "bedrock";

export const JOB_FORMATS: readonly JobFormat[] = ["openai", "anthropic", "bedrock"];

/** One problem found while validating an input file, in OpenAI's `errors.data[]` shape. */
export interface ValidationError {
  code: string;
  message: string;
  line: number | null;
  param: string | null;
}

export interface RequestCounts {
  total: number;
  completed: number;
  failed: number;
}

/** Finished records by how they ended (OpenAI's `failed` count is `failed` alone). */
export interface RecordTally {
  succeeded: number;
  failed: number;
  cancelled: number;
  expired: number;
}

/** `batch`: many records from a file; `invocation`: one async request (docs/async-and-events.md). */
export type JobKind = "batch" | "invocation";

export interface Job {
  id: string;
  kind: JobKind;
  /** The project that owns it (issue 15): only that project's keys (and admins) see it. */
  projectId: string;
  /** The dialect of its input and outputs (rows written before formats existed are `openai`). */
  format: JobFormat;
  status: JobStatus;
  endpoint: Endpoint;
  inputFileId: string;
  completionWindow: string;
  metadata: Record<string, string> | null;
  outputFileId: string | null;
  errorFileId: string | null;
  errors: ValidationError[] | null;
  counts: RequestCounts;
  tally: RecordTally;
  /** Sum of usage reported by the backend for succeeded records. */
  usage: { inputTokens: number; outputTokens: number };
  createdAt: number;
  inProgressAt: number | null;
  expiresAt: number;
  finalizingAt: number | null;
  completedAt: number | null;
  failedAt: number | null;
  expiredAt: number | null;
  cancellingAt: number | null;
  cancelledAt: number | null;
  /** Where the job's end event is POSTed (docs/async-and-events.md); null: config defaults. */
  webhookUrl?: string | null;
  /**
   * OpenAI's `batch.model`: the `body.model` of the input's first request, set when validation
   * finishes (null before, and for a batch that failed validation).
   */
  model: string | null;
  /**
   * OpenAI's `output_expires_after` (anchor `created_at`): the output and error files expire
   * this many seconds after they are written. Null: the config's output retention.
   */
  outputExpiresAfterSeconds: number | null;
  /**
   * Validation's strikes: claims after attempts that died exactly where the farthest one before
   * had, since one last got further (a wedged or poison validation fails the job after a few;
   * store/validation-store.ts).
   */
  validationAttempts?: number;
  /** Every claim of validation, progress or not: bounded so nothing is validated forever. */
  validationClaims?: number;
  /** Identical requests once: what the job asked for and what it saved (docs/dedup-and-cache.md). */
  dedup?: JobDedup;
  /**
   * The batch this one retries (`POST /v1/batches/{id}/retry`, docs/lineage.md); null for a batch
   * created from a file. Its children are listed by `LineageStore.listChildJobs`.
   */
  parentJobId?: string | null;
  /** A retry's route, given to every record instead of the one its model resolves to; null: by model. */
  pinnedRoute?: string | null;
}
