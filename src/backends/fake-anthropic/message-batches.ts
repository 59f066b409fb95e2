import type { AnthropicErrorType } from "./anthropic-error.js";
import {
  type FakeMessageBatchOptions,
  type FakeMessageBatchStats,
  MESSAGE_BATCH_DEFAULTS,
  type ResolvedMessageBatchOptions,
} from "./message-batch-options.js";
import { isMessagesRequestError, parseMessagesRequest } from "./messages-request.js";
import { messageBody } from "./messages-response.js";

/** Anthropic's limits on one Message Batch. */
const MAX_REQUESTS = 100_000;
const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;
/** Batches kept at most; past it the oldest ended ones are forgotten. */
const MAX_BATCHES = 10_000;
/** custom_ids counted at most (a test fake, but nothing unbounded). */
const MAX_COUNTED_IDS = 1_000_000;
const DAY_MS = 86_400_000;

type Outcome = "succeeded" | "errored" | "canceled" | "expired";

interface FakeBatch {
  id: string;
  createdAt: number;
  endsAt: number;
  cancelInitiatedAt: number | null;
  endedAt: number | null;
  /** Until the batch ends; then only its result lines are kept. */
  requests: { customId: string; params: unknown }[] | null;
  total: number;
  results: string[];
  counts: Record<Outcome, number>;
}

export type BatchAnswer =
  | { status: number; body: string; contentType?: string }
  /** A results file, streamed line by line as Anthropic's is (fake-anthropic-server.ts). */
  | { status: number; lines: readonly string[]; contentType: string }
  | { error: AnthropicErrorType; message: string };

/** What the server needs from its surroundings to answer a batch request. */
export interface MessageBatchContext {
  random: () => number;
  fail400Marker: string | null;
  outputTokens: number;
  newSuffix: () => string;
}

/**
 * The fake's Message Batches: create, retrieve, list, cancel and results, as Anthropic answers
 * them (docs.anthropic.com/en/api/creating-message-batches). A batch is `in_progress` until its
 * turnaround, then every request is answered at once through the Messages fake; a cancel ends
 * the requests not yet run `canceled`.
 */
export class FakeMessageBatches {
  private opts: ResolvedMessageBatchOptions = { ...MESSAGE_BATCH_DEFAULTS };
  private readonly batches = new Map<string, FakeBatch>();
  private created = 0;
  private maxInFlight = 0;
  private submitted = new Map<string, number>();

  constructor(private readonly ctx: MessageBatchContext) {}

  setOptions(partial: FakeMessageBatchOptions): void {
    this.opts = { ...this.opts, ...partial };
  }

  /**
   * Every batch in progress ends at the next look, as though its turnaround had passed: a test
   * holds batches with a long turnaround while it watches them, then lets them go at once.
   */
  endInProgress(now: number): void {
    for (const b of this.batches.values()) if (b.endedAt === null) b.endsAt = Math.min(b.endsAt, now);
  }

  stats(): FakeMessageBatchStats {
    return {
      created: this.created,
      inFlight: this.inFlight(),
      maxInFlight: this.maxInFlight,
      submittedPerCustomId: Object.fromEntries(this.submitted),
    };
  }

  resetStats(): void {
    this.created = 0;
    this.maxInFlight = this.inFlight();
    this.submitted = new Map();
  }

  create(body: string, origin: string, now: number): BatchAnswer {
    if (this.opts.createError)
      return { error: this.opts.createError, message: "Batch creation refused (simulated by the fake)." };
    const requests = parseRequests(body);
    if (typeof requests === "string") return { error: "invalid_request_error", message: requests };
    if (this.opts.maxInFlight !== null && this.inFlight() >= this.opts.maxInFlight) {
      return {
        error: "rate_limit_error",
        message: `At most ${this.opts.maxInFlight} message batches may be in progress at once.`,
      };
    }
    for (const r of requests) {
      if (this.submitted.size >= MAX_COUNTED_IDS) this.submitted.clear();
      this.submitted.set(r.customId, (this.submitted.get(r.customId) ?? 0) + 1);
    }
    const batch: FakeBatch = {
      id: `msgbatch_${this.ctx.newSuffix()}`,
      createdAt: now,
      endsAt: now + this.opts.turnaroundMs,
      cancelInitiatedAt: null,
      endedAt: null,
      requests,
      total: requests.length,
      results: [],
      counts: { succeeded: 0, errored: 0, canceled: 0, expired: 0 },
    };
    this.forgetOldest();
    this.batches.set(batch.id, batch);
    this.created++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight());
    return ok(view(batch, origin));
  }

  retrieve(id: string, origin: string, now: number): BatchAnswer {
    const batch = this.find(id, now);
    return batch ? ok(view(batch, origin)) : notFound(id);
  }

  /** Newest first; `after_id` pages towards older batches, `before_id` towards newer ones. */
  list(query: URLSearchParams, origin: string, now: number): BatchAnswer {
    const limit = Number(query.get("limit") ?? 20);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      return { error: "invalid_request_error", message: "limit: Input should be between 1 and 1000." };
    }
    const all = [...this.batches.values()].reverse();
    for (const b of all) this.advance(b, now);
    const after = query.get("after_id");
    const before = query.get("before_id");
    let page: FakeBatch[];
    let hasMore: boolean;
    if (before) {
      const at = all.findIndex((b) => b.id === before);
      const newer = at < 0 ? [] : all.slice(0, at);
      page = newer.slice(Math.max(0, newer.length - limit));
      hasMore = newer.length > limit;
    } else {
      const at = after ? all.findIndex((b) => b.id === after) : -1;
      const older = after ? (at < 0 ? [] : all.slice(at + 1)) : all;
      page = older.slice(0, limit);
      hasMore = older.length > limit;
    }
    const data = page.map((b) => JSON.parse(view(b, origin)) as unknown);
    return ok(
      JSON.stringify({
        data,
        has_more: hasMore,
        first_id: page[0]?.id ?? null,
        last_id: page[page.length - 1]?.id ?? null,
      }),
    );
  }

  cancel(id: string, origin: string, now: number): BatchAnswer {
    const batch = this.find(id, now);
    if (!batch) return notFound(id);
    if (batch.endedAt === null && batch.cancelInitiatedAt === null) batch.cancelInitiatedAt = now;
    return ok(view(batch, origin));
  }

  results(id: string, now: number): BatchAnswer {
    const batch = this.find(id, now);
    if (!batch) return notFound(id);
    if (batch.endedAt === null) {
      return {
        error: "invalid_request_error",
        message: `Message Batch ${id} has not yet ended; results are not available.`,
      };
    }
    // Handed on as lines, not joined: the file (40 MB for 100,000 results) starts at once, as the real one does.
    return { status: 200, lines: batch.results, contentType: "application/x-jsonl" };
  }

  private find(id: string, now: number): FakeBatch | undefined {
    const batch = this.batches.get(id);
    if (batch) this.advance(batch, now);
    return batch;
  }

  private inFlight(): number {
    let n = 0;
    for (const b of this.batches.values()) if (b.endedAt === null) n++;
    return n;
  }

  /** Ends a batch whose time has come (or that was cancelled at an earlier look), answering every request. */
  private advance(batch: FakeBatch, now: number): void {
    if (batch.endedAt !== null || batch.requests === null) return;
    const cancelled = batch.cancelInitiatedAt !== null && now > batch.cancelInitiatedAt;
    if (!cancelled && now < batch.endsAt) return;
    batch.requests.forEach((r, i) => {
      const [outcome, result] = cancelled
        ? (["canceled", `{"type":"canceled"}`] as const)
        : this.opts.expireHalf && i % 2 === 1
          ? (["expired", `{"type":"expired"}`] as const)
          : this.answer(r.params);
      batch.counts[outcome]++;
      batch.results.push(`{"custom_id":${JSON.stringify(r.customId)},"result":${result}}\n`);
    });
    batch.requests = null;
    batch.endedAt = now;
  }

  private answer(params: unknown): [Outcome, string] {
    const text = JSON.stringify(params);
    const marker = this.ctx.fail400Marker;
    if (marker !== null && text.includes(marker)) {
      return errored(
        "invalid_request_error",
        `Invalid request: the params contain the failure marker '${marker}'.`,
      );
    }
    const parsed = parseMessagesRequest(text, "create");
    if (isMessagesRequestError(parsed)) return errored("invalid_request_error", parsed.message);
    if (this.ctx.random() < this.opts.errorRate)
      return errored("api_error", "Internal server error (simulated by the fake).");
    const message = messageBody(parsed, {
      idSuffix: this.ctx.newSuffix(),
      outputTokens: this.ctx.outputTokens,
      cache: "none",
    });
    return ["succeeded", `{"type":"succeeded","message":${message.body}}`];
  }

  private forgetOldest(): void {
    if (this.batches.size < MAX_BATCHES) return;
    for (const [id, b] of this.batches) {
      if (b.endedAt !== null) {
        this.batches.delete(id);
        return;
      }
    }
  }
}

function parseRequests(body: string): { customId: string; params: unknown }[] | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return "The request body is not valid JSON.";
  }
  const requests = (parsed as { requests?: unknown })?.requests;
  if (!Array.isArray(requests) || requests.length === 0)
    return "requests: Field required (a non-empty list).";
  if (requests.length > MAX_REQUESTS) return `requests: at most ${MAX_REQUESTS} requests per batch.`;
  const seen = new Set<string>();
  const out: { customId: string; params: unknown }[] = [];
  for (const [i, r] of requests.entries()) {
    const customId = (r as { custom_id?: unknown })?.custom_id;
    const params = (r as { params?: unknown })?.params;
    if (typeof customId !== "string" || !CUSTOM_ID.test(customId)) {
      return `requests.${i}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'.`;
    }
    if (seen.has(customId)) return `requests.${i}.custom_id: Duplicate custom_id '${customId}' in the batch.`;
    if (typeof params !== "object" || params === null || Array.isArray(params)) {
      return `requests.${i}.params: Input should be a valid dictionary.`;
    }
    seen.add(customId);
    out.push({ customId, params });
  }
  return out;
}

function view(b: FakeBatch, origin: string): string {
  const ended = b.endedAt !== null;
  const processing = ended ? 0 : b.total;
  return JSON.stringify({
    id: b.id,
    type: "message_batch",
    processing_status: ended ? "ended" : b.cancelInitiatedAt !== null ? "canceling" : "in_progress",
    request_counts: { processing, ...b.counts },
    ended_at: ended ? new Date(b.endedAt!).toISOString() : null,
    created_at: new Date(b.createdAt).toISOString(),
    expires_at: new Date(b.createdAt + DAY_MS).toISOString(),
    archived_at: null,
    cancel_initiated_at: b.cancelInitiatedAt === null ? null : new Date(b.cancelInitiatedAt).toISOString(),
    results_url: ended ? `${origin}/v1/messages/batches/${b.id}/results` : null,
  });
}

function ok(body: string): BatchAnswer {
  return { status: 200, body };
}

function notFound(id: string): BatchAnswer {
  return { error: "not_found_error", message: `Message Batch ${id} not found.` };
}

function errored(type: AnthropicErrorType, message: string): [Outcome, string] {
  return [
    "errored",
    `{"type":"errored","error":{"type":"error","error":{"type":"${type}","message":${JSON.stringify(message)}}}}`,
  ];
}
