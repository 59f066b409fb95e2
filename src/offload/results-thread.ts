/**
 * A results thread (results-reader.ts): reads provider jobs' results with the route's own
 * client and hands them to the main thread in ingest's batches, encoded (encoded-results.ts), so
 * that downloading and parsing a results file (about half of ingest's CPU) runs beside the
 * store's writes instead of between them. It reads one provider job at a time, at most
 * `CREDITS` batches ahead of what the main thread has taken: memory stays bounded (two batches
 * of INGEST_BATCH_CHARS at most) however slow the writes are.
 *
 * Protocol (messages both ways carry the read's `readId`):
 *   main → thread: {type:"read", readId, providerJobId} | {type:"more", readId} | {type:"stop", readId}
 *   thread → main: {type:"ready"} once, then per read: {type:"batch", readId, batch}… and one of
 *   {type:"end", readId} | {type:"error", readId, error}.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { BatchApiClient } from "../backends/batch-apis/batch-api-client.js";
import type { BatchClientSpec } from "./batch-client-spec.js";
import { encodeResultBatch } from "./encoded-results.js";
import { resultBatches } from "./result-batches.js";
import { CREDITS, type ThreadError, type ToResultsThread } from "./results-thread-protocol.js";

/**
 * Only the route's own client is loaded (each module imported when named): the thread starts in
 * ~0.3 s for an HTTP provider instead of the ~0.9 s that loading all three (and the AWS SDK) takes.
 * The options are the ones the runner's client was made with (batch-client-spec.ts).
 */
async function loadClient(spec: BatchClientSpec): Promise<BatchApiClient> {
  switch (spec.kind) {
    case "openai-batch": {
      const m = await import("../backends/batch-apis/openai-batch/openai-batch-client.js");
      return new m.OpenAiBatchClient(spec.options);
    }
    case "anthropic-batch": {
      const m = await import("../backends/batch-apis/anthropic-batch/anthropic-batch-client.js");
      return new m.AnthropicBatchClient(spec.options);
    }
    case "bedrock-batch": {
      const m = await import("../backends/batch-apis/bedrock-batch/bedrock-batch-client.js");
      return new m.BedrockBatchClient(spec.options);
    }
  }
}

function threadError(err: unknown): ThreadError {
  const e = (err ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" ? v : null);
  const num = (v: unknown) => (typeof v === "number" ? v : null);
  return {
    message: str(e.message) ?? String(err),
    name: str(e.name) ?? "Error",
    status: num(e.status) ?? num(e.httpStatus),
    code: str(e.code),
    retryable: typeof e.retryable === "boolean" ? e.retryable : null,
    retryAfterMs: num(e.retryAfterMs),
  };
}

interface Read {
  readId: number;
  credits: number;
  stopped: boolean;
  /** Wakes the read waiting for a credit (or told to stop). */
  wake: (() => void) | null;
}

async function serve(port: NonNullable<typeof parentPort>, spec: BatchClientSpec): Promise<void> {
  const client = await loadClient(spec);
  let current: Read | null = null;
  const queue: Array<{ readId: number; providerJobId: string }> = [];
  let running = false;

  const run = async () => {
    if (running) return;
    running = true;
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const read: Read = { readId: next.readId, credits: CREDITS, stopped: false, wake: null };
      current = read;
      try {
        for await (const batch of resultBatches(client, next.providerJobId)) {
          while (read.credits === 0 && !read.stopped) await new Promise<void>((r) => (read.wake = r));
          if (read.stopped) break; // leaving the loop closes the download
          read.credits--;
          const encoded = encodeResultBatch(batch);
          port.postMessage({ type: "batch", readId: read.readId, batch: encoded }, [
            encoded.meta.buffer as ArrayBuffer,
          ]);
        }
        port.postMessage({ type: "end", readId: read.readId });
      } catch (err) {
        port.postMessage({ type: "error", readId: read.readId, error: threadError(err) });
      }
      current = null;
    }
    running = false;
  };

  port.on("message", (m: ToResultsThread) => {
    if (m.type === "read") {
      queue.push({ readId: m.readId, providerJobId: m.providerJobId });
      void run();
      return;
    }
    const read = current as Read | null;
    if (read === null || read.readId !== m.readId) return;
    if (m.type === "more") read.credits++;
    else read.stopped = true;
    read.wake?.();
    read.wake = null;
  });
  port.postMessage({ type: "ready" });
}

if (parentPort) {
  const port = parentPort;
  serve(port, (workerData as { spec: BatchClientSpec }).spec).catch((err) => {
    // The client could not be made: every read this thread was asked for fails with this.
    port.postMessage({ type: "failed", error: threadError(err) });
  });
}
