import type { AttemptResult } from "../domain/record.js";

/**
 * The column values an attempt's outcome writes, decided once for both engines. For a retry
 * the engine's SQL turns `pending` into `failed` when the record's attempts are used up
 * (attempt − released ≥ max_attempts), and reports the state it wrote.
 */
export interface OutcomeWrite {
  state: "succeeded" | "failed" | "pending";
  runAt: number;
  statusCode: number | null;
  requestId: string | null;
  body: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  finishedAt: number | null;
  /** The attempt's backend call time (ms): the record keeps its last attempt's. */
  latencyMs: number | null;
}

export function outcomeWrite(result: AttemptResult, now: number): OutcomeWrite {
  // Every field written out in one literal, in one order: one object shape for every outcome
  // (no spread), which keeps this per-record step cheap on the hot path.
  const o = result.outcome;
  const response = o.response;
  const succeeded = o.kind === "succeeded";
  return {
    state: succeeded ? "succeeded" : o.kind === "retry" ? "pending" : "failed",
    runAt: o.kind === "retry" ? o.runAt : 0,
    statusCode: response?.statusCode ?? null,
    requestId: response?.requestId ?? null,
    body: response?.body ?? null,
    errorCode: succeeded ? null : o.error.code,
    errorMessage: succeeded ? null : o.error.message,
    inputTokens: succeeded ? (o.usage?.inputTokens ?? null) : null,
    outputTokens: succeeded ? (o.usage?.outputTokens ?? null) : null,
    finishedAt: now,
    latencyMs: result.latencyMs ?? null,
  };
}
