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
  const o = r.outcome;
  const response = o.response;
  into.push(
    r.recordId,
    o.kind === "succeeded" ? "succeeded" : o.kind === "retry" ? "pending" : "failed",
    o.kind === "retry" ? o.runAt : 0,
    response?.statusCode ?? null,
    response?.requestId ?? null,
    response?.body ?? null,
  );
  if (o.kind === "succeeded")
    into.push(null, null, o.usage?.inputTokens ?? null, o.usage?.outputTokens ?? null, null);
  else into.push(o.error.code, o.error.message, null, null, null);
}
