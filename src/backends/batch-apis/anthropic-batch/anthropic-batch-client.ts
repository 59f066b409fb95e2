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
import { jsonlLineBatches, jsonlLines } from "../batch-http/jsonl-lines.js";
import { type ListPage, listNewestFirst } from "../batch-http/list-newest-first.js";
import { oneLine } from "../batch-http/one-line.js";
import { ANTHROPIC_BATCH_QUOTAS } from "./anthropic-batch-quotas.js";
import { anthropicResultOf } from "./anthropic-batch-result.js";
import { type MessageBatchObject, messageBatchStatus, requestTotal } from "./anthropic-batch-status.js";
import { parseWireKey, placeholderKey, stampTag, tagOf } from "./anthropic-custom-id.js";

export interface AnthropicBatchClientOptions {
  /** The host, without `/v1` (default https://api.anthropic.com). */
  baseUrl?: string;
  apiKey?: string;
  /** The `anthropic-version` header (default 2023-06-01). */
  version?: string;
  headers?: Record<string, string>;
  /** Overrides of Anthropic's documented limits (ANTHROPIC_BATCH_QUOTAS). */
  quotas?: Partial<BatchQuotas>;
}

/** Anthropic pages batches up to 1,000 at a time. */
const PAGE = 1000;
/** Listing stops here (1,000,000 batches) with an error rather than paging forever. */
const MAX_PAGES = 1000;
const CLOCK_SKEW_MS = 60_000;
/** A batch ends within 24 h of creation; older ones are not in flight. */
const IN_FLIGHT_HORIZON_MS = 48 * 3_600_000;
const UPLOAD_TIMEOUT_MS = 30 * 60_000;
/** How long to wait before asking again when candidates cannot be told apart yet. */
const UNDETERMINED_RETRY_MS = 10 * 60_000;

/**
 * Anthropic's Message Batches API (docs/provider-batch.md#anthropic-batch) over undici with the
 * shared agent. A provider job is one batch; its requests' custom_ids carry a tag made from the
 * Docket provider-job id (anthropic-custom-id.ts), the only place a batch can carry it.
 */
export class AnthropicBatchClient implements BatchApiClient {
  readonly kind = "anthropic-batch" as const;
  readonly quotas: BatchQuotas;
  private readonly base: string;
  private readonly headers: Record<string, string>;
  /** Batches this client made, by token: a second submit in the same process makes none. */
  private readonly made = new Map<string, string>();

  constructor(options: AnthropicBatchClientOptions) {
    this.base = (options.baseUrl ?? "https://api.anthropic.com").replace(/\/+$/, "");
    this.headers = {
      ...options.headers,
      "anthropic-version": options.version ?? "2023-06-01",
      ...(options.apiKey ? { "x-api-key": options.apiKey } : {}),
    };
    this.quotas = { ...ANTHROPIC_BATCH_QUOTAS, ...options.quotas };
  }

  keyOf(recordId: number): string {
    return docketRecordKey(recordId);
  }

  recordIdOf(key: string): number | null {
    return recordIdOfDocketKey(key);
  }

  accepts(endpoint: string): boolean {
    return endpoint === "/v1/messages";
  }

  /** One `{"custom_id","params"}` request; the custom_id's tag is a placeholder until `submit`. */
  encode(record: BatchInputRecord): string {
    return `{"custom_id":"${placeholderKey(record.recordId)}","params":${oneLine(record.body)}}`;
  }

  /**
   * Creates the batch, its requests streamed as `{"requests":[…]}`. Idempotent by token within
   * this client; a submit that may repeat an earlier one (`resumeSinceMs`: a retry, a restart)
   * first looks for that one with `findByToken`. A first submit does not look: a batch in
   * progress shows nothing of its requests, so other fresh batches could not be told from ours.
   */
  async submit(token: string, input: BatchSubmitInput): Promise<{ providerJobId: string }> {
    const existing =
      this.made.get(token) ??
      (input.resumeSinceMs === undefined
        ? null
        : await this.findByToken(token, input.resumeSinceMs, { count: input.count }));
    if (existing) return { providerJobId: existing };
    const tag = tagOf(token);
    async function* body(): AsyncGenerator<string> {
      let pending = '{"requests":[';
      let first = true;
      for await (const line of input.lines()) {
        pending += (first ? "" : ",") + stampTag(line, tag);
        first = false;
        // ~1 MiB writes: one write per request is much slower.
        if (pending.length >= 1 << 20) {
          yield pending;
          pending = "";
        }
      }
      yield `${pending}]}`;
    }
    const batch = await callJson<MessageBatchObject>({
      method: "POST",
      url: `${this.base}/v1/messages/batches`,
      headers: { ...this.headers, "content-type": "application/json" },
      body: body(),
      timeoutMs: UPLOAD_TIMEOUT_MS,
    });
    this.made.set(token, batch.id);
    return { providerJobId: batch.id };
  }

  /**
   * The batch made with `token` since `createdAfterMs` (less the clock skew). Candidates are the
   * batches created since then (with `expect.count` requests, when given). An ended one is ours
   * when its first result's custom_id carries the token's tag; one still in progress shows no
   * custom_id, so while such a candidate exists and none is proven ours, the answer is
   * undetermined: a retryable BatchApiError (`provider_job_undetermined`), asked again later,
   * never a guess (a wrong batch would mix records up; a second submit would run them twice).
   * Two proven candidates (only possible after a resubmission) hold the same records; the oldest
   * is returned and the other's results are never read.
   */
  async findByToken(
    token: string,
    createdAfterMs: number,
    expect?: { count: number },
  ): Promise<string | null> {
    const tag = tagOf(token);
    let proven: string | null = null;
    let unproven = 0;
    for await (const batch of this.batchesSince(createdAfterMs)) {
      if (expect && requestTotal(batch) !== expect.count) continue;
      // Archived batches' results are gone; Anthropic archives them weeks after they end.
      if (batch.archived_at) continue;
      if (batch.processing_status !== "ended" || !batch.results_url) {
        unproven++;
        continue;
      }
      if ((await this.firstTag(batch.results_url)) === tag) proven = batch.id; // newest first: ends at the oldest
    }
    if (proven) {
      this.made.set(token, proven);
      return proven;
    }
    if (unproven > 0) {
      throw new BatchApiError(
        `Cannot tell yet whether provider job '${token}' made one of ${unproven} Message Batch(es) still in progress; ask again once they end.`,
        null,
        "provider_job_undetermined",
        true,
        UNDETERMINED_RETRY_MS,
      );
    }
    return null;
  }

  async status(providerJobId: string): Promise<BatchApiStatus> {
    return messageBatchStatus(await this.retrieve(providerJobId));
  }

  async *results(providerJobId: string): AsyncIterable<BatchApiResult> {
    const batch = await this.retrieve(providerJobId);
    if (!batch.results_url) return;
    const body = await callStream({
      method: "GET",
      url: batch.results_url,
      headers: this.headers,
      timeoutMs: UPLOAD_TIMEOUT_MS,
    });
    try {
      const keyFor = (id: string) => this.keyForCustomId(id);
      for await (const lines of jsonlLineBatches(body)) {
        for (const line of lines) yield anthropicResultOf(line, keyFor);
      }
    } finally {
      body.destroy();
    }
  }

  /** Anthropic answers a cancel of an ended batch with the batch as it is: nothing to handle. */
  async cancel(providerJobId: string): Promise<void> {
    await callJson({
      method: "POST",
      url: `${this.base}/v1/messages/batches/${encodeURIComponent(providerJobId)}/cancel`,
      headers: this.headers,
    });
  }

  /**
   * Batches in progress or canceling, by anyone with this key. A Message Batch names no model
   * (each request does), so every one holds a slot whatever `model` is.
   */
  async inFlight(_model: string): Promise<number> {
    let count = 0;
    for await (const batch of this.batchesSince(Date.now() - IN_FLIGHT_HORIZON_MS)) {
      if (batch.processing_status !== "ended") count++;
    }
    return count;
  }

  async close(): Promise<void> {}

  private keyForCustomId(customId: string): string {
    const parsed = parseWireKey(customId);
    return parsed ? this.keyOf(parsed.recordId) : customId;
  }

  /** The tag of a results file's first custom_id (null for one Docket did not make), reading one line only. */
  private async firstTag(resultsUrl: string): Promise<string | null> {
    const body = await callStream({ method: "GET", url: resultsUrl, headers: this.headers });
    try {
      for await (const line of jsonlLines(body)) {
        const customId = (JSON.parse(line) as { custom_id?: unknown }).custom_id;
        return typeof customId === "string" ? (parseWireKey(customId)?.tag ?? null) : null;
      }
      return null;
    } finally {
      body.destroy();
    }
  }

  private retrieve(id: string): Promise<MessageBatchObject> {
    return callJson<MessageBatchObject>({
      method: "GET",
      url: `${this.base}/v1/messages/batches/${encodeURIComponent(id)}`,
      headers: this.headers,
    });
  }

  /** Batches newest first, down to those created at `sinceMs` (less the skew), page by page. */
  private batchesSince(sinceMs: number): AsyncGenerator<MessageBatchObject> {
    const since = sinceMs - CLOCK_SKEW_MS;
    return listNewestFirst<MessageBatchObject>({
      page: (after) =>
        callJson<ListPage<MessageBatchObject>>({
          method: "GET",
          url: `${this.base}/v1/messages/batches?limit=${PAGE}${after ? `&after_id=${encodeURIComponent(after)}` : ""}`,
          headers: this.headers,
        }),
      isOlder: (batch) => Date.parse(batch.created_at) < since,
      pageSize: PAGE,
      maxPages: MAX_PAGES,
      what: "Message Batches",
      sinceMs,
    });
  }
}
