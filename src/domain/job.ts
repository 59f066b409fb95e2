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

export type Endpoint = "/v1/chat/completions" | "/v1/completions" | "/v1/embeddings" | "/v1/responses";

export const ENDPOINTS: readonly Endpoint[] = [
  "/v1/chat/completions",
  "/v1/completions",
  "/v1/embeddings",
  "/v1/responses",
];

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

/** `batch`: many records from a file; `invocation`: one async request (docs/async-and-events.md). */
export type JobKind = "batch" | "invocation";

export interface Job {
  id: string;
  kind: JobKind;
  status: JobStatus;
  endpoint: Endpoint;
  inputFileId: string;
  completionWindow: string;
  metadata: Record<string, string> | null;
  outputFileId: string | null;
  errorFileId: string | null;
  errors: ValidationError[] | null;
  counts: RequestCounts;
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
  /** How many times validation was claimed (a wedged validation fails the job after a few). */
  validationAttempts?: number;
}
