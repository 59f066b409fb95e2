import { costUsd, type JobPrice } from "../domain/budget-stop.js";
import type { JobDedup, ServedFrom } from "../domain/dedup.js";

/** The jobs columns of migration SQLite 0013 / PostgreSQL 0012 (absent in rows selected without them). */
export interface JobDedupColumns {
  /** SQLite stores 1/0, PostgreSQL a boolean; NULL: the routes' setting. */
  dedup?: number | boolean | null;
  cache?: number | boolean | null;
  deduplicated?: number | string;
  cached?: number | string;
  saved_input_tokens?: number | string;
  saved_output_tokens?: number | string;
  saved_usd?: number | string;
}

const flag = (v: number | boolean | null | undefined): boolean | null => (v == null ? null : Boolean(v));
const count = (v: number | string | undefined): number => (v === undefined ? 0 : Number(v));

export function jobDedupFromRow(r: JobDedupColumns): JobDedup {
  return {
    dedup: flag(r.dedup),
    cache: flag(r.cache),
    deduplicated: count(r.deduplicated),
    cached: count(r.cached),
    savedInputTokens: count(r.saved_input_tokens),
    savedOutputTokens: count(r.saved_output_tokens),
    savedUsd: count(r.saved_usd),
  };
}

/** `records.served_from` as read back with a finished record. */
export function servedFromOf(column: string | null | undefined): ServedFrom | null {
  return column === "leader" || column === "cache" ? column : null;
}

/** `records.dedup_due` as stored: what a leader's answer still goes to once it ends. */
export const DUE_COLUMN = { fanout: 1, cache: 2 } as const;

/** An ended leader with work due, as both engines read it (with its job's model, for prices). */
export interface HandOnRow {
  id: number | string;
  job_id: string;
  position: number | string;
  route: string;
  state: string;
  dedup_key: string | null;
  dedup_due: number | string;
  response_status: number | null;
  response_request_id: string | null;
  response_body: string | null;
  error_code: string | null;
  error_message: string | null;
  input_tokens: number | string | null;
  output_tokens: number | string | null;
  model: string | null;
}

/**
 * What `n` followers given a leader's answer add to their job, in the order of the engines'
 * counter statement: succeeded, failed, cancelled, expired (by the leader's end state), then
 * deduplicated (followers that got an answer: it succeeded or failed), saved input and output
 * tokens and saved US dollars (a success's usage, once per follower, at `price`).
 */
export function savingsOf(
  l: Pick<HandOnRow, "state" | "input_tokens" | "output_tokens">,
  n: number,
  price: JobPrice | null,
): [number, number, number, number, number, number, number, number] {
  const input = n * Number(l.input_tokens ?? 0);
  const output = n * Number(l.output_tokens ?? 0);
  switch (l.state) {
    case "succeeded": {
      const usd = price ? costUsd({ inputTokens: input, outputTokens: output }, price) : 0;
      return [n, 0, 0, 0, n, input, output, usd];
    }
    case "failed":
      return [0, n, 0, 0, n, 0, 0, 0];
    case "cancelled":
      return [0, 0, n, 0, 0, 0, 0, 0];
    default:
      return [0, 0, 0, n, 0, 0, 0, 0];
  }
}

/** A succeeded leader's answer as the cache keeps it, or null when it is not cached (not 2xx, too big, no key). */
export function cacheableAnswer(
  l: Pick<HandOnRow, "state" | "dedup_key" | "response_status" | "response_request_id" | "response_body">,
  maxEntryBytes: number,
): { statusCode: number; requestId: string | null; body: string; bytes: number } | null {
  if (l.state !== "succeeded" || l.dedup_key === null || l.response_body === null) return null;
  const status = Number(l.response_status);
  if (!(status >= 200 && status < 300)) return null;
  // Cheap first: a UTF-8 byte is at least one UTF-16 unit, at most three.
  if (l.response_body.length > maxEntryBytes) return null;
  const bytes = Buffer.byteLength(l.response_body);
  if (bytes > maxEntryBytes) return null;
  return { statusCode: status, requestId: l.response_request_id, body: l.response_body, bytes };
}

/**
 * The job counters a validation attempt may have added (records answered from the cache at
 * insert), as SQL assignments: a new attempt, or a failed validation, starts them from 0.
 */
export const RESET_CACHE_COUNTS =
  "succeeded = 0, cached = 0, saved_input_tokens = 0, saved_output_tokens = 0, saved_usd = 0";
