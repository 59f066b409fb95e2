import type { EncodedResultBatch } from "./encoded-results.js";

/** Messages between a results thread (results-thread.ts) and its reader (results-reader.ts). */

/** Batches a read may run ahead of the main thread's writes: one written, one parsed meanwhile. */
export const CREDITS = 2;

export type ToResultsThread =
  | { type: "read"; readId: number; providerJobId: string }
  | { type: "more"; readId: number }
  | { type: "stop"; readId: number };

/** An error as it crosses threads: what `classifyProviderError` reads of it. */
export interface ThreadError {
  message: string;
  name: string;
  status: number | null;
  code: string | null;
  retryable: boolean | null;
  retryAfterMs: number | null;
}

export type FromResultsThread =
  | { type: "ready" }
  /** The thread could not make its client: it reads nothing. */
  | { type: "failed"; error: ThreadError }
  | { type: "batch"; readId: number; batch: EncodedResultBatch }
  | { type: "end"; readId: number }
  | { type: "error"; readId: number; error: ThreadError };
