import OpenAI, { toFile } from "openai";
import type { Batch } from "openai/resources/batches";
import pLimit from "p-limit";

export const TERMINAL = new Set(["failed", "completed", "cancelled", "expired"]);

export interface BatchOutcome {
  caseId: string;
  /** The upload or batch creation was refused (status and message), if it was. */
  refused?: { status: number | undefined; message: string };
  /** The last batch object seen (terminal unless `hung`). */
  batch?: Batch;
  /** Still not terminal `hangBoundMs` after creation. */
  hung?: boolean;
  /** A request that neither answered nor failed within `requestBoundMs`, or another client error. */
  clientError?: string;
  /** Creation to terminal state. */
  ms?: number;
  /** When the batch was created and when it was seen terminal (epoch ms). */
  createdAt?: number;
  endedAt?: number;
}

export interface DriveOptions {
  concurrency: number;
  hangBoundMs: number;
  requestBoundMs: number;
}

/**
 * Uploads each file with the official SDK, creates its batch and polls it to a terminal state,
 * with at most `concurrency` requests in flight; no slot is held while waiting between polls.
 */
export async function driveBatches(
  openai: OpenAI,
  files: Array<{ caseId: string; filename: string; bytes: Buffer }>,
  o: DriveOptions,
): Promise<Map<string, BatchOutcome>> {
  const limit = pLimit(o.concurrency);
  const call = <T>(what: string, fn: () => Promise<T>) =>
    limit(() => withBound(fn(), o.requestBoundMs, `${what} did not answer within ${o.requestBoundMs} ms`));
  const out = new Map<string, BatchOutcome>();

  const one = async (f: { caseId: string; filename: string; bytes: Buffer }): Promise<void> => {
    const result: BatchOutcome = { caseId: f.caseId };
    out.set(f.caseId, result);
    try {
      let batch: Batch;
      try {
        const file = await call("upload", async () =>
          openai.files.create({ file: await toFile(f.bytes, f.filename), purpose: "batch" }),
        );
        batch = await call("batches.create", () =>
          openai.batches.create({
            input_file_id: file.id,
            endpoint: "/v1/chat/completions",
            completion_window: "24h",
          }),
        );
      } catch (err) {
        if (err instanceof OpenAI.APIError) {
          result.refused = { status: err.status, message: err.message };
          return;
        }
        throw err;
      }
      const created = Date.now();
      result.createdAt = created;
      let delay = 100;
      for (;;) {
        if (TERMINAL.has(batch.status)) {
          result.endedAt = Date.now();
          result.ms = result.endedAt - created;
          break;
        }
        if (Date.now() - created > o.hangBoundMs) {
          result.hung = true;
          break;
        }
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 2_000);
        batch = await call("batches.retrieve", () => openai.batches.retrieve(batch.id));
      }
      result.batch = batch;
    } catch (err) {
      result.clientError = (err as Error).message;
    }
  };
  await Promise.all(files.map(one));
  return out;
}

export function withBound<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([p, bound]).finally(() => clearTimeout(timer));
}
