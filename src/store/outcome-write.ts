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
  const o = result.outcome;
  const response = o.response;
  const base = {
    statusCode: response?.statusCode ?? null,
    requestId: response?.requestId ?? null,
    body: response?.body ?? null,
    latencyMs: result.latencyMs ?? null,
  };
  if (o.kind === "succeeded") {
    return {
      ...base,
      state: "succeeded",
      runAt: 0,
      errorCode: null,
      errorMessage: null,
      inputTokens: o.usage?.inputTokens ?? null,
      outputTokens: o.usage?.outputTokens ?? null,
      finishedAt: now,
    };
  }
  return {
    ...base,
    state: o.kind === "retry" ? "pending" : "failed",
    runAt: o.kind === "retry" ? o.runAt : 0,
    errorCode: o.error.code,
    errorMessage: o.error.message,
    inputTokens: null,
    outputTokens: null,
    finishedAt: now,
  };
}
