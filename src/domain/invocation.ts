import type { Job } from "./job.js";
import { parseJsonObject } from "./json-object.js";
import type { RecordState } from "./record.js";

/**
 * What the record body of an invocation holds (JSON). An async invocation is a job of kind
 * `invocation` with exactly one record. Its payload never enters the database: the record's body
 * is this small pointer to the blob. Only records of invocation jobs (the claim returns the job's
 * kind) are ever read as pointers, so a batch line cannot forge one.
 */
export interface InvocationPointer {
  /** Blob key of the request body. */
  input: string;
  bytes: number;
  /** Where a large response is spilled (`<prefix>output-<random>`). */
  outputPrefix: string;
  /** An attempt that would start at or after this fails `request_ttl_expired` (epoch ms). */
  ttlUntil?: number;
  /** Processing deadline for one attempt; past it the invocation fails `invocation_timeout`. */
  timeoutMs: number;
  /** Passed through to the backend as `X-Docket-Custom-Attributes`. */
  customAttributes: string | null;
}

/** Error codes an invocation can end with besides the backend's own. */
export const INVOCATION_CODES = {
  ttlExpired: "request_ttl_expired",
  timeout: "invocation_timeout",
  inputMissing: "input_not_found",
} as const;

export interface NewInvocation {
  id: string;
  /** The project that owns it (issue 15). */
  projectId: string;
  /** The caller's id (idempotency key); the job id when the caller gave none. */
  inferenceId: string;
  model: string;
  route: string;
  /** A batch endpoint, e.g. `/v1/chat/completions`. */
  endpoint: string;
  inputFileId: string;
  inputBytes: number;
  /** The record body: a JSON InvocationPointer. */
  body: string;
  maxAttempts: number;
  /** Still waiting (never started) at this time: it fails with `request_ttl_expired`. */
  ttlUntil: number;
  timeoutMs: number;
  customAttributes: string | null;
  webhookUrl: string | null;
  createdAt: number;
  /** Backstop for the job as a whole (TTL + attempts × timeout, generously). */
  expiresAt: number;
}

export interface Invocation {
  job: Job;
  inferenceId: string;
  model: string;
  route: string;
  inputBytes: number;
  ttlUntil: number;
  timeoutMs: number;
  customAttributes: string | null;
  /** The one record's state and its last error, if any. */
  recordState: RecordState;
  attempts: number;
  error: { code: string; message: string } | null;
}

/** Reads a record body as an InvocationPointer; undefined when it is not one. */
export function parseInvocationPointer(body: string): InvocationPointer | undefined {
  const p = parseJsonObject(body);
  if (p === null) return undefined;
  if (typeof p.input !== "string" || typeof p.bytes !== "number" || typeof p.outputPrefix !== "string")
    return undefined;
  if (typeof p.timeoutMs !== "number") return undefined;
  return {
    input: p.input,
    bytes: p.bytes,
    outputPrefix: p.outputPrefix,
    timeoutMs: p.timeoutMs,
    customAttributes: typeof p.customAttributes === "string" ? p.customAttributes : null,
    ...(typeof p.ttlUntil === "number" ? { ttlUntil: p.ttlUntil } : {}),
  };
}

/**
 * A response too large to keep in the database is stored as a blob, and the record's response
 * body holds this marker instead. A NUL first character cannot begin a JSON answer, so no real
 * response is ever mistaken for one.
 */
const SPILLED_PREFIX = "\u0000docket-blob:";

export function spilledBody(blobKey: string, bytes: number): string {
  return `${SPILLED_PREFIX}${JSON.stringify({ key: blobKey, bytes })}`;
}

export function parseSpilledBody(body: string): { key: string; bytes: number } | undefined {
  if (!body.startsWith(SPILLED_PREFIX)) return undefined;
  try {
    const p = JSON.parse(body.slice(SPILLED_PREFIX.length)) as { key?: unknown; bytes?: unknown };
    return typeof p.key === "string" && typeof p.bytes === "number"
      ? { key: p.key, bytes: p.bytes }
      : undefined;
  } catch {
    return undefined;
  }
}
