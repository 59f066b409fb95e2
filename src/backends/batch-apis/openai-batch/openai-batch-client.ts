import type {
  BatchApiClient,
  BatchApiResult,
  BatchApiStatus,
  BatchInputRecord,
  BatchQuotas,
  BatchSubmitInput,
} from "../batch-api-client.js";
import { BatchApiError } from "../batch-http/batch-api-error.js";
import { callJson, callStream } from "../batch-http/batch-http.js";
import { docketRecordKey, recordIdOfDocketKey } from "../batch-http/docket-key.js";
import { jsonlLineBatches } from "../batch-http/jsonl-lines.js";
import { type ListPage, listNewestFirst } from "../batch-http/list-newest-first.js";
import { multipartBody } from "../batch-http/multipart-body.js";
import { oneLine } from "../batch-http/one-line.js";
import { OPENAI_BATCH_QUOTAS } from "./openai-batch-quotas.js";
import { openAiResultOf } from "./openai-batch-result.js";
import { isOpenAiBatchInFlight, type OpenAiBatchObject, openAiBatchStatus } from "./openai-batch-status.js";

export interface OpenAiBatchClientOptions {
  /** Including the version, as the SDK's `baseURL`: `https://api.openai.com/v1`. */
  baseUrl: string;
  apiKey?: string;
  headers?: Record<string, string>;
  /** Overrides of OpenAI's documented limits (OPENAI_BATCH_QUOTAS). */
  quotas?: Partial<BatchQuotas>;
  /** How far back `submit` looks for a batch it made before a crash (default 7 days). */
  idempotencyHorizonMs?: number;
}

/** The metadata key that ties an OpenAI batch to the Docket provider job that made it. */
export const TOKEN_METADATA_KEY = "docket_provider_job";
/** The endpoints OpenAI's Batch API runs. */
const ACCEPTED = new Set(["/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/responses"]);
/** OpenAI pages batches 100 at a time at most. */
const PAGE = 100;
/** Listing stops here (100,000 batches) with an error rather than paging forever. */
const MAX_PAGES = 1000;
/** Our clock and the provider's may differ by this much. */
const CLOCK_SKEW_MS = 60_000;
/** A batch in flight is younger than its 24 h window plus finalizing; older ones are not looked at. */
const IN_FLIGHT_HORIZON_MS = 72 * 3_600_000;
/** Uploads of up to 200 MB may take a while on a slow link. */
const UPLOAD_TIMEOUT_MS = 30 * 60_000;

/**
 * OpenAI's Batch API (Files + Batches; docs/provider-batch.md#openai-batch) over undici with the
 * shared agent. A provider job is one input file (`purpose: batch`) and one batch whose metadata
 * carries the Docket provider-job id, so the batch can always be found again after a crash:
 * `submit` looks for it before making one, `findByToken` after.
 */
export class OpenAiBatchClient implements BatchApiClient {
  readonly kind = "openai-batch" as const;
  readonly quotas: BatchQuotas;
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly horizonMs: number;
  /** Batches this client made, by token: a second submit in the same process needs no listing. */
  private readonly made = new Map<string, string>();

  constructor(options: OpenAiBatchClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, "");
    this.headers = {
      ...options.headers,
      ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
    };
    this.quotas = { ...OPENAI_BATCH_QUOTAS, ...options.quotas };
    this.horizonMs = options.idempotencyHorizonMs ?? 7 * 86_400_000;
  }

  keyOf(recordId: number): string {
    return docketRecordKey(recordId);
  }

  recordIdOf(key: string): number | null {
    return recordIdOfDocketKey(key);
  }

  accepts(endpoint: string): boolean {
    return ACCEPTED.has(endpoint);
  }

  encode(record: BatchInputRecord): string {
    return `{"custom_id":"${this.keyOf(record.recordId)}","method":"POST","url":${JSON.stringify(record.endpoint)},"body":${oneLine(record.body)}}`;
  }

  async submit(token: string, input: BatchSubmitInput): Promise<{ providerJobId: string }> {
    // Always looked for (the metadata makes the answer certain): back to the intent when the
    // caller knows it, else over the idempotency horizon.
    const since = input.resumeSinceMs ?? Date.now() - this.horizonMs;
    const existing = this.made.get(token) ?? (await this.findByToken(token, since));
    if (existing) return { providerJobId: existing };
    // A crash between upload and create leaves an unused input file, never a second batch.
    const form = multipartBody(
      { purpose: "batch" },
      { name: `docket-${token}.jsonl`, contentType: "application/jsonl", lines: input.lines },
    );
    const file = await callJson<{ id: string }>({
      method: "POST",
      url: `${this.base}/files`,
      headers: { ...this.headers, "content-type": form.contentType },
      body: form.body,
      timeoutMs: UPLOAD_TIMEOUT_MS,
    });
    const batch = await callJson<OpenAiBatchObject>({
      method: "POST",
      url: `${this.base}/batches`,
      headers: { ...this.headers, "content-type": "application/json" },
      body: JSON.stringify({
        input_file_id: file.id,
        endpoint: input.endpoint,
        completion_window: "24h",
        metadata: { [TOKEN_METADATA_KEY]: token },
      }),
    });
    this.made.set(token, batch.id);
    return { providerJobId: batch.id };
  }

  /**
   * The batch whose metadata names `token`, among those created since `createdAfterMs` (less the
   * clock skew). Should two exist (a resubmission by an older version), the first made is the one.
   */
  async findByToken(token: string, createdAfterMs: number): Promise<string | null> {
    let found: string | null = null;
    for await (const batch of this.batchesSince(createdAfterMs)) {
      // Newest first: the last match seen is the oldest.
      if (batch.metadata?.[TOKEN_METADATA_KEY] === token) found = batch.id;
    }
    if (found) this.made.set(token, found);
    return found;
  }

  async status(providerJobId: string): Promise<BatchApiStatus> {
    return openAiBatchStatus(await this.retrieve(providerJobId));
  }

  /** The output file's lines, then the error file's (expired and cancelled requests are there). */
  async *results(providerJobId: string): AsyncIterable<BatchApiResult> {
    const batch = await this.retrieve(providerJobId);
    for (const fileId of [batch.output_file_id, batch.error_file_id]) {
      if (!fileId) continue;
      const body = await callStream({
        method: "GET",
        url: `${this.base}/files/${encodeURIComponent(fileId)}/content`,
        headers: this.headers,
        timeoutMs: UPLOAD_TIMEOUT_MS,
      });
      try {
        for await (const lines of jsonlLineBatches(body)) {
          for (const line of lines) yield openAiResultOf(line);
        }
      } finally {
        body.destroy();
      }
    }
  }

  async cancel(providerJobId: string): Promise<void> {
    try {
      await callJson({
        method: "POST",
        url: `${this.base}/batches/${encodeURIComponent(providerJobId)}/cancel`,
        headers: this.headers,
      });
    } catch (err) {
      // Already ended (completed, failed, expired): nothing left to stop.
      if (err instanceof BatchApiError && err.status === 400) {
        const { state } = await this.status(providerJobId);
        if (state !== "validating" && state !== "in_progress") return;
      }
      throw err;
    }
  }

  /**
   * Batches validating, in progress or finalizing for `model`, by anyone with this key. A batch
   * whose model is not known yet (still validating) is counted: a slot is a limit, so count high.
   */
  async inFlight(model: string): Promise<number> {
    let count = 0;
    for await (const batch of this.batchesSince(Date.now() - IN_FLIGHT_HORIZON_MS)) {
      if (isOpenAiBatchInFlight(batch.status) && (batch.model == null || batch.model === model)) count++;
    }
    return count;
  }

  async close(): Promise<void> {}

  private retrieve(id: string): Promise<OpenAiBatchObject> {
    return callJson<OpenAiBatchObject>({
      method: "GET",
      url: `${this.base}/batches/${encodeURIComponent(id)}`,
      headers: this.headers,
    });
  }

  /** Batches newest first, down to those created at `sinceMs` (less the skew), page by page. */
  private batchesSince(sinceMs: number): AsyncGenerator<OpenAiBatchObject> {
    const sinceSeconds = Math.floor((sinceMs - CLOCK_SKEW_MS) / 1000);
    return listNewestFirst<OpenAiBatchObject>({
      page: (after) =>
        callJson<ListPage<OpenAiBatchObject>>({
          method: "GET",
          url: `${this.base}/batches?limit=${PAGE}${after ? `&after=${encodeURIComponent(after)}` : ""}`,
          headers: this.headers,
        }),
      isOlder: (batch) => batch.created_at < sinceSeconds,
      pageSize: PAGE,
      maxPages: MAX_PAGES,
      what: "batches",
      sinceMs,
    });
  }
}
