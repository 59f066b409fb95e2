import type { RecordDedup, ServedFrom } from "./dedup.js";
import type { JobKind } from "./job.js";

/**
 * A record is one model request inside a job. `running` is held by a lease; `attempt` is the
 * fencing token: every claim increments it, and only the holder of the current attempt may
 * write the outcome. `following`: an identical request's follower, never claimed, that ends when
 * its leader does, with its answer (docs/dedup-and-cache.md).
 */
export type RecordState =
  | "pending"
  | "running"
  | "following"
  | "succeeded"
  | "failed"
  | "cancelled"
  | "expired";

export interface NewRecord {
  /** 0-based position in the input file: output files are written in this order. */
  position: number;
  /** 1-based line number in the input file, for error messages. */
  line: number;
  customId: string;
  /**
   * The custom_id's JSON literal exactly as written in the input, kept only when it differs
   * from `JSON.stringify(customId)` (escapes, lone surrogates): output lines echo it verbatim.
   */
  customIdJson?: string | null;
  route: string;
  /**
   * The request body: the raw JSON text of the line's `body`, sent to the backend unchanged. A
   * big line's body comes as its UTF-8 bytes (a view of the line read from the file), so the
   * line is never held as a string too; stores keep either form as the same text.
   */
  body: string | Buffer;
  /**
   * Set when the record fails at validation without failing its job: an Anthropic Message Batch
   * validates each request's params asynchronously, and a bad one is an `errored` result while
   * the others run. Such a record is stored finished (`failed`) and never sent.
   */
  failure?: RecordError;
  /** Identical requests once: set by validation for a deterministic record of a job that dedups or caches. */
  dedup?: RecordDedup;
}

/** A record handed to a worker by a claim; `attempt` must be echoed back when completing. */
export interface ClaimedRecord {
  id: number;
  jobId: string;
  /** Its job's project: a project's own limits on the route hold its records (config `projects.*.routes`). */
  projectId: string;
  customId: string;
  route: string;
  /** Its job's kind, which prepares the request (src/jobs/): a batch body as is, an invocation's pointer. */
  kind: JobKind;
  endpoint: string;
  body: string;
  /**
   * Set when the body is stored in parts (large bodies on SQLite): `body` is then empty and the
   * parts are read one at a time with `store.capabilities.largeBodies.readBodyPart`, so a huge
   * body is never whole in memory.
   */
  bodyParts?: { count: number; bytes: number };
  attempt: number;
  maxAttempts: number;
}

/** What the backend answered, kept verbatim for the output or error file. */
export interface RecordResponse {
  statusCode: number;
  requestId: string | null;
  body: string;
}

export interface RecordError {
  code: string;
  message: string;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

/**
 * The closed set of things an attempt can end in. `retry` puts the record back to pending
 * with a `runAt` in the future (unless attempts are exhausted, in which case the store fails it).
 */
export type Outcome =
  | { kind: "succeeded"; response: RecordResponse; usage: Usage | null }
  | { kind: "failed"; response: RecordResponse | null; error: RecordError }
  | { kind: "retry"; runAt: number; response: RecordResponse | null; error: RecordError };

export interface AttemptResult {
  recordId: number;
  attempt: number;
  outcome: Outcome;
  /** How long the backend call took (ms), kept on the finished record for the dashboard's percentiles. */
  latencyMs?: number;
}

/** A finished record, as read back in input order to write output and error files. */
export interface FinishedRecord {
  id: number;
  position: number;
  customId: string;
  /** See NewRecord.customIdJson. */
  customIdJson?: string | null;
  state: RecordState;
  response: RecordResponse | null;
  error: RecordError | null;
  /**
   * The request body, read only when asked (`readFinished(…, {bodies: true})`; a Bedrock output
   * line echoes it as `modelInput`): its text, or, for a body stored in parts (large bodies on
   * SQLite, `capabilities.largeBodies`), how many parts to read so it is never whole in memory.
   */
  input?: { text: string } | { parts: number };
  /** Answered without its own call: by its leader's (dedup) or from the response cache. */
  servedFrom?: ServedFrom | null;
}
