import type { Readable } from "node:stream";
import type { Pool } from "undici";
import type { BackendRequest, BackendResult } from "../backend.js";
import { type EndReason, failureFromError, type PhaseTimeouts } from "./failures.js";
import { RequestCancel } from "./request-cancel.js";
import { resultFromResponse } from "./response-result.js";

/** Error bodies are kept for the failure record; past this they are cut (they are text, not data). */
const MAX_ERROR_BODY_BYTES = 1024 * 1024;

/**
 * The path for requests whose body is a stream (async invocations, up to GBs): the payload goes
 * from `bodyStream` to the socket with undici's backpressure, and a successful answer goes to
 * `responseSink` when there is one, so neither is ever whole in memory. Kept apart from the
 * string path, which is the hot one for batches and stays as lean as it is.
 */
export async function sendStreamed(
  pool: Pool,
  path: string,
  baseHeaders: Record<string, string>,
  defaultTimeoutMs: number,
  request: BackendRequest & { bodyStream: () => Promise<Readable> },
  phasesFor: (timeoutMs: number) => PhaseTimeouts,
): Promise<BackendResult> {
  const timeoutMs = request.timeoutMs ?? defaultTimeoutMs;
  const caller = request.signal;
  if (caller?.aborted) return failureFromError(caller.reason, "aborted", timeoutMs);
  // The body timeout only runs while undici reads: a sink applying backpressure never trips it.
  const phases = phasesFor(timeoutMs);

  const cancel = new RequestCancel();
  let reason: EndReason = null;
  const timer = setTimeout(() => {
    reason = "timeout";
    cancel.abort(new Error(`Timed out after ${timeoutMs} ms`));
  }, timeoutMs);
  const onAbort = () => {
    reason ??= "aborted";
    cancel.abort(new Error("Aborted by the caller"));
  };
  caller?.addEventListener("abort", onAbort, { once: true });

  let body: Readable | undefined;
  try {
    body = await request.bodyStream();
    const headers: Record<string, string> = { ...baseHeaders, ...request.headers };
    if (request.bodyBytes !== undefined) headers["content-length"] = String(request.bodyBytes);
    const response = await pool.request({
      method: "POST",
      path,
      headers,
      body,
      signal: cancel,
      headersTimeout: phases.headersTimeoutMs,
      bodyTimeout: phases.bodyTimeoutMs,
    });
    const status = response.statusCode;
    const ok = status >= 200 && status < 300;
    let text: string;
    try {
      // A success without a sink (a large batch body streamed from its parts) is kept whole,
      // as on the string path; only error bodies are cut.
      text = !ok
        ? await readCapped(response.body, MAX_ERROR_BODY_BYTES)
        : request.responseSink
          ? await request.responseSink(response.body)
          : await response.body.text();
    } catch (error) {
      response.body.destroy();
      throw error;
    }
    return resultFromResponse(status, text, response.headers);
  } catch (error) {
    return failureFromError(error, reason, timeoutMs, phases);
  } finally {
    clearTimeout(timer);
    caller?.removeEventListener("abort", onAbort);
    body?.destroy();
  }
}

async function readCapped(stream: AsyncIterable<Buffer> & { destroy(): void }, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const room = max - size;
    chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
    size += Math.min(chunk.length, room);
    if (size >= max) {
      stream.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString("utf8");
}
