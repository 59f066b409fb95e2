import type { FilePurpose, StoredFile } from "../domain/file.js";
import type { Endpoint, Job, JobFormat, JobKind, JobStatus, ValidationError } from "../domain/job.js";
import type { FinishedRecord, RecordState } from "../domain/record.js";
import { type JobDedupColumns, jobDedupFromRow, servedFromOf } from "./dedup-rows.js";

/**
 * Row shapes shared by both engines (same column names in SQLite and PostgreSQL), and their
 * mapping to domain objects. Numbers may arrive as strings from PostgreSQL's BIGINT, hence num().
 */
export interface FileRow {
  id: string;
  filename: string;
  purpose: string;
  bytes: number | string;
  blob_key: string;
  created_at: number | string;
  expires_at: number | string | null;
  /** Migration SQLite 0010 / PostgreSQL 0009. */
  project_id?: string;
}

export interface JobRow extends JobDedupColumns {
  id: string;
  /** Absent only in rows selected without it. */
  kind?: string;
  /** Migration SQLite 0008 / PostgreSQL 0007; absent only in rows selected without it. */
  format?: string;
  /** Migration SQLite 0010 / PostgreSQL 0009. */
  project_id?: string;
  webhook_url?: string | null;
  status: string;
  endpoint: string;
  input_file_id: string;
  completion_window: string;
  metadata: string | null;
  output_file_id: string | null;
  error_file_id: string | null;
  errors: string | null;
  total: number | string;
  succeeded: number | string;
  failed: number | string;
  cancelled?: number | string;
  expired?: number | string;
  input_tokens: number | string;
  output_tokens: number | string;
  created_at: number | string;
  in_progress_at: number | string | null;
  expires_at: number | string;
  finalizing_at: number | string | null;
  completed_at: number | string | null;
  failed_at: number | string | null;
  expired_at: number | string | null;
  cancelling_at: number | string | null;
  cancelled_at: number | string | null;
  /** Migration 0005; absent only in rows selected without them. */
  model?: string | null;
  output_expires_after_s?: number | string | null;
  validation_attempts?: number | string;
  /** Migration SQLite 0014 / PostgreSQL 0013; absent only in rows selected without them. */
  validation_claims?: number | string;
  /** Migration SQLite 0012 / PostgreSQL 0011 (lineage); absent only in rows selected without them. */
  parent_job_id?: string | null;
  pinned_route?: string | null;
}

export interface FinishedRow {
  id: number | string;
  position: number | string;
  custom_id: string;
  /** The custom_id's literal as written, when it differs from JSON.stringify(custom_id) (0005). */
  custom_id_json?: string | null;
  state: string;
  response_status: number | null;
  response_request_id: string | null;
  response_body: string | null;
  error_code: string | null;
  error_message: string | null;
  /** Selected only when bodies are asked for (readFinished's `bodies`). */
  body?: string;
  /** Parts of a body stored apart (SQLite, migration 0006); 0 or absent when the body is inline. */
  body_parts?: number | string;
  /** Answered without its own call (SQLite 0013 / PostgreSQL 0012): `leader` or `cache`. */
  served_from?: string | null;
}

export const num = (v: number | string): number => (typeof v === "number" ? v : Number(v));
const numOrNull = (v: number | string | null): number | null => (v === null ? null : num(v));

export function fileFromRow(r: FileRow): StoredFile {
  return {
    id: r.id,
    filename: r.filename,
    purpose: r.purpose as FilePurpose,
    bytes: num(r.bytes),
    blobKey: r.blob_key,
    createdAt: num(r.created_at),
    expiresAt: numOrNull(r.expires_at),
    projectId: r.project_id ?? "default",
  };
}

/** The \`jobs.kind\` column as a JobKind (rows written before kinds existed are batches). */
export function jobKindOf(column: string | undefined): JobKind {
  return column === "invocation" ? "invocation" : "batch";
}

/** The \`jobs.format\` column as a JobFormat (rows written before formats existed are OpenAI's). */
export function jobFormatOf(column: string | undefined): JobFormat {
  return column === "anthropic" || column === "bedrock" ? column : "openai";
}

export function jobFromRow(r: JobRow): Job {
  return {
    id: r.id,
    kind: jobKindOf(r.kind),
    projectId: r.project_id ?? "default",
    format: jobFormatOf(r.format),
    status: r.status as JobStatus,
    endpoint: r.endpoint as Endpoint,
    inputFileId: r.input_file_id,
    completionWindow: r.completion_window,
    metadata: r.metadata ? (JSON.parse(r.metadata) as Record<string, string>) : null,
    outputFileId: r.output_file_id,
    errorFileId: r.error_file_id,
    errors: r.errors ? (JSON.parse(r.errors) as ValidationError[]) : null,
    counts: { total: num(r.total), completed: num(r.succeeded), failed: num(r.failed) },
    tally: {
      succeeded: num(r.succeeded),
      failed: num(r.failed),
      cancelled: num(r.cancelled ?? 0),
      expired: num(r.expired ?? 0),
    },
    usage: { inputTokens: num(r.input_tokens), outputTokens: num(r.output_tokens) },
    createdAt: num(r.created_at),
    inProgressAt: numOrNull(r.in_progress_at),
    expiresAt: num(r.expires_at),
    finalizingAt: numOrNull(r.finalizing_at),
    completedAt: numOrNull(r.completed_at),
    failedAt: numOrNull(r.failed_at),
    expiredAt: numOrNull(r.expired_at),
    cancellingAt: numOrNull(r.cancelling_at),
    cancelledAt: numOrNull(r.cancelled_at),
    webhookUrl: r.webhook_url ?? null,
    model: r.model ?? null,
    outputExpiresAfterSeconds: r.output_expires_after_s == null ? null : num(r.output_expires_after_s),
    validationAttempts: r.validation_attempts == null ? 0 : num(r.validation_attempts),
    validationClaims: r.validation_claims == null ? 0 : num(r.validation_claims),
    dedup: jobDedupFromRow(r),
    parentJobId: r.parent_job_id ?? null,
    pinnedRoute: r.pinned_route ?? null,
  };
}

export function finishedFromRow(r: FinishedRow): FinishedRecord {
  return {
    id: num(r.id),
    position: num(r.position),
    customId: r.custom_id,
    customIdJson: r.custom_id_json ?? null,
    state: r.state as RecordState,
    response:
      r.response_status === null
        ? null
        : {
            statusCode: num(r.response_status),
            requestId: r.response_request_id,
            body: r.response_body ?? "",
          },
    error: r.error_code === null ? null : { code: r.error_code, message: r.error_message ?? "" },
    ...(r.body === undefined
      ? {}
      : { input: num(r.body_parts ?? 0) > 0 ? { parts: num(r.body_parts!) } : { text: r.body } }),
    ...(r.served_from ? { servedFrom: servedFromOf(r.served_from) } : {}),
  };
}

/** The timestamp column a job's end status is recorded in. */
export const END_STATUS_COLUMN = {
  completed: "completed_at",
  cancelled: "cancelled_at",
  expired: "expired_at",
} as const;
