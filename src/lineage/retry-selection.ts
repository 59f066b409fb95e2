import { DocketError } from "../domain/errors.js";
import type { FinishedRecord } from "../domain/record.js";
import { isTruncated } from "./truncation.js";

/** What `only` may name: how a record ended, or a success cut short by its token limit. */
export const RETRY_REASONS = ["failed", "expired", "cancelled", "truncated"] as const;
export type RetryReason = (typeof RETRY_REASONS)[number];

/** Explicit ids one retry may name: Anthropic's limit on one Message Batch. */
export const MAX_RETRY_IDS = 100_000;
/** Error codes one retry may name. */
export const MAX_RETRY_ERROR_CODES = 100;
/** A response body longer than this is not read for its error code (it is no error envelope). */
const MAX_ERROR_BODY_CHARS = 64 * 1024;

/**
 * Which records of a batch a retry takes: a record is taken when it matches any part (their
 * union), e.g. `only: ["failed", "expired"]` takes both kinds.
 */
export interface RetrySelection {
  only: ReadonlySet<RetryReason>;
  errorCodes: ReadonlySet<string>;
  /** Custom ids (as decoded strings); null when none were named. */
  ids: ReadonlySet<string> | null;
}

/** Why a record was taken, for the counts a retry reports. */
export type MatchReason = RetryReason | "error_code" | "id";

/** Reads `only`, `error_codes` and `ids` from a retry request; at least one must select something. */
export function parseRetrySelection(body: Record<string, unknown>): RetrySelection {
  const only = new Set<RetryReason>();
  for (const value of stringList(body.only, "only", RETRY_REASONS.length)) {
    const reason = RETRY_REASONS.find((r) => r === value);
    if (!reason) {
      throw invalid(
        `'only' names ${JSON.stringify(value)}; it may hold ${RETRY_REASONS.map((r) => `"${r}"`).join(", ")}.`,
        "only",
      );
    }
    only.add(reason);
  }
  const errorCodes = new Set(stringList(body.error_codes, "error_codes", MAX_RETRY_ERROR_CODES));
  const idList = stringList(body.ids, "ids", MAX_RETRY_IDS);
  const ids = body.ids === undefined || body.ids === null ? null : new Set(idList);
  if (only.size === 0 && errorCodes.size === 0 && (ids === null || ids.size === 0)) {
    throw invalid(
      "Say which records to retry: 'only' (failed, expired, cancelled, truncated), 'error_codes' or 'ids'.",
      "only",
    );
  }
  return { only, errorCodes, ids };
}

/** Why the selection takes this finished record, or null when it does not. */
export function matchRecord(selection: RetrySelection, r: FinishedRecord): MatchReason | null {
  if (r.state === "failed" || r.state === "expired" || r.state === "cancelled") {
    if (selection.only.has(r.state)) return r.state;
  }
  if (
    r.state === "succeeded" &&
    selection.only.has("truncated") &&
    r.response &&
    isTruncated(r.response.body)
  ) {
    return "truncated";
  }
  if (selection.errorCodes.size > 0 && r.state !== "succeeded") {
    for (const code of errorCodesOf(r)) if (selection.errorCodes.has(code)) return "error_code";
  }
  if (selection.ids?.has(r.customId)) return "id";
  return null;
}

/**
 * The codes a failed record answers to: the one Docket stored (`http_400`, `timeout`,
 * `attempts_exhausted`, `budget_exceeded`, …), the one its error line shows (`batch_expired`,
 * `batch_cancelled`), and the `code` and `type` of the backend's own error envelope
 * (OpenAI's `{"error":{"code","type"}}`, Anthropic's `{"type":"error","error":{"type"}}`).
 */
export function errorCodesOf(r: FinishedRecord): string[] {
  const codes: string[] = [];
  if (r.error) codes.push(r.error.code);
  if (r.state === "expired") codes.push("batch_expired");
  if (r.state === "cancelled") codes.push("batch_cancelled");
  const body = r.response?.body;
  if (body && body.length <= MAX_ERROR_BODY_CHARS) {
    const envelope = errorEnvelope(body);
    if (typeof envelope?.code === "string") codes.push(envelope.code);
    if (typeof envelope?.type === "string") codes.push(envelope.type);
  }
  return codes;
}

function errorEnvelope(body: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(body);
    if (!isObject(parsed) || !isObject(parsed.error)) return null;
    return parsed.error;
  } catch {
    return null;
  }
}

function stringList(value: unknown, param: string, max: number): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || v === "")) {
    throw invalid(`'${param}' must be an array of non-empty strings.`, param);
  }
  if (value.length > max)
    throw invalid(`'${param}' may hold at most ${max} entries; got ${value.length}.`, param);
  return value as string[];
}

function invalid(message: string, param: string): DocketError {
  return new DocketError("invalid_request_error", message, 400, param);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
