import type { ProviderResult } from "./provider-job-store.js";

/** Values per result, in this order: what the engines' ingest statements bind for each row. */
export const PROVIDER_RESULT_COLUMNS = [
  "id",
  "state",
  "run_at",
  "response_status",
  "response_request_id",
  "response_body",
  "error_code",
  "error_message",
  "input_tokens",
  "output_tokens",
  "latency_ms",
] as const;

/**
 * Appends the column values one provider result writes (PROVIDER_RESULT_COLUMNS order): the
 * same values as `outcomeWrite` (outcome-write.ts) decides for `recordResults`, with `state`
 * `pending` for a retry. Written out value by value rather than through `outcomeWrite`'s object
 * spreads: ingest runs this for every record, and on Node 20 an object literal that spreads
 * another and adds properties takes V8's slow path, which cost more than the row's own UPDATE.
 */
export function appendProviderResultColumns(into: unknown[], r: ProviderResult): void {
  setProviderResultColumns(into, into.length, r);
}

/**
 * `appendProviderResultColumns` into `into` from index `at` (an array sized for a whole
 * statement, so ingest's batches neither grow nor copy their parameters); returns the index just
 * past them.
 */
export function setProviderResultColumns(into: unknown[], at: number, r: ProviderResult): number {
  const o = r.outcome;
  const response = o.response;
  into[at] = r.recordId;
  into[at + 1] = o.kind === "succeeded" ? "succeeded" : o.kind === "retry" ? "pending" : "failed";
  into[at + 2] = o.kind === "retry" ? o.runAt : 0;
  into[at + 3] = response?.statusCode ?? null;
  into[at + 4] = response?.requestId ?? null;
  into[at + 5] = response?.body ?? null;
  if (o.kind === "succeeded") {
    into[at + 6] = null;
    into[at + 7] = null;
    into[at + 8] = o.usage?.inputTokens ?? null;
    into[at + 9] = o.usage?.outputTokens ?? null;
  } else {
    into[at + 6] = o.error.code;
    into[at + 7] = o.error.message;
    into[at + 8] = null;
    into[at + 9] = null;
  }
  into[at + 10] = null;
  return at + PROVIDER_RESULT_COLUMNS.length;
}
