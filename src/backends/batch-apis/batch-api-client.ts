/*
 * Interface changes (H16, for H14 and H15), both optional and backward compatible:
 * - `submit` input `resumeSinceMs`: pass it on every submit that may repeat an earlier one (a
 *   retry after a failed or timed-out submit, and a provider job found in uploading/submitting
 *   after a restart), as the time the submit intent was first recorded. Anthropic's Message
 *   Batches carry no metadata and show nothing of their requests until they end, so the
 *   anthropic-batch client only looks for an earlier batch when told to (see its findByToken).
 * - `findByToken` third argument `expect.count`: the number of records submitted; clients that
 *   cannot read the token back from an unfinished job use it to narrow the candidates.
 * anthropic-batch's findByToken (and submit with resumeSinceMs) may throw a retryable
 * BatchApiError with code `provider_job_undetermined` (retryAfterMs set): ask again later.
 */
import type { TokenUsage } from "../usage.js";

/** The providers' batch APIs Docket can offload to (issue 13, docs/provider-batch.md). */
export type BatchApiKind = "openai-batch" | "anthropic-batch" | "bedrock-batch";

/** One provider's quotas for one route; each defaults to the provider's documented figure. */
export interface BatchQuotas {
  maxRecordsPerJob: number;
  /** A job with fewer records is not submitted (Bedrock's minimum); remainders wait or go on-demand. */
  minRecordsPerJob: number;
  maxBytesPerJob: number;
  /** Provider jobs in flight at once for this route's model, counting jobs Docket did not make. */
  maxJobsInFlight: number;
  /** Estimated tokens enqueued at once (OpenAI's per-model limit); null: none. */
  maxEnqueuedTokens: number | null;
}

/** A record as it goes into a provider job's input. */
export interface BatchInputRecord {
  /** Docket's record id: the provider's per-record key is made from it (`keyOf`). */
  recordId: number;
  /** The endpoint the body speaks (after bridging, one the provider's batch API accepts). */
  endpoint: string;
  /** The exact body text (bytes in = bytes out). */
  body: string;
  /** The model, for providers whose input names it per job (Bedrock) rather than per line. */
  model: string;
}

/** The provider's view of one of its jobs, mapped onto one vocabulary. */
export interface BatchApiStatus {
  state:
    | "validating"
    | "in_progress"
    | "finalizing"
    | "ended"
    | "failed"
    | "expired"
    | "cancelling"
    | "cancelled";
  /** The provider's reason when it failed the whole job (e.g. input validation). */
  error: string | null;
}

/** One record's result as the provider reported it. */
export type BatchApiResult =
  | { key: string; ok: true; statusCode: number; body: string; usage: TokenUsage | null }
  | {
      key: string;
      ok: false;
      /** Throttled, server error, expired, cancelled by the provider: worth another provider job. */
      retryable: boolean;
      code: string;
      message: string;
      statusCode: number | null;
      body: string | null;
    };

/** What `submit` sends: one provider job's records and what they are for. */
export interface BatchSubmitInput {
  /** The encoded records, streamed from the store (a job can be hundreds of MB); callable again on retry. */
  lines: () => AsyncIterable<string>;
  count: number;
  bytes: number;
  model: string;
  endpoint: string;
  /** Set when this submit may repeat an earlier one: when that one's intent was recorded (see above). */
  resumeSinceMs?: number;
}

/**
 * One provider's batch API (Files + Batches, Message Batches, Bedrock batch inference). Every
 * call that creates something is idempotent by `token` (Docket's provider-job id), so a crash
 * between creating and recording a provider job never makes a second one.
 */
export interface BatchApiClient {
  readonly kind: BatchApiKind;
  readonly quotas: BatchQuotas;
  /** The provider's per-record key for a Docket record (its custom_id / recordId). */
  keyOf(recordId: number): string;
  /** The Docket record id behind a key, or null for a key Docket did not make. */
  recordIdOf(key: string): number | null;
  /** The endpoints the provider's batch input accepts (others are bridged or refused at validation). */
  accepts(endpoint: string): boolean;
  /** One record's input line or request object, as text; its UTF-8 length counts toward `maxBytesPerJob`. */
  encode(record: BatchInputRecord): string;
  /**
   * Uploads the input (where the provider needs a file) and creates the job. Idempotent by
   * `token`: called again after a crash it finds (or resumes) what the first call made.
   */
  submit(token: string, input: BatchSubmitInput): Promise<{ providerJobId: string }>;
  /** The provider job made with `token`, if any (recovery after a crash before it was recorded). */
  findByToken(token: string, createdAfterMs: number, expect?: { count: number }): Promise<string | null>;
  status(providerJobId: string): Promise<BatchApiStatus>;
  /** Every record's result the provider has for an ended job, streamed (jobs of 100k+ records). */
  results(providerJobId: string): AsyncIterable<BatchApiResult>;
  cancel(providerJobId: string): Promise<void>;
  /** Jobs in flight at the provider for `model` (made by Docket or not): the slots in use. */
  inFlight(model: string): Promise<number>;
  close(): Promise<void>;
}
