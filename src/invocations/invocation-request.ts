import type { Readable } from "node:stream";
import {
  type Backend,
  type BackendFailure,
  type BackendResult,
  unansweredFailure,
} from "../backends/backend.js";
import type { BlobStore } from "../blobs/blob-store.js";
import { DocketError } from "../domain/errors.js";
import { INVOCATION_CODES, type InvocationPointer, parseInvocationPointer } from "../domain/invocation.js";
import { TTL_EXPIRED_MESSAGE } from "../store/invocation-rows.js";
import { spillLargeResponse } from "./response-spill.js";

/** Payloads a backend without streaming support gets as a string, at most. */
export const IN_MEMORY_PAYLOAD_MAX_BYTES = 64 * 1024 * 1024;

/** Header the invocation's custom attributes travel in to the backend (SageMaker's idea). */
export const CUSTOM_ATTRIBUTES_HEADER = "x-docket-custom-attributes";

/**
 * Sends the one record of an invocation job: its body is a pointer (InvocationPointer) to the
 * payload in the blob store, which is streamed to the backend (or read into a string, bounded,
 * for a backend that cannot stream), with the invocation's own timeout and custom-attributes
 * header; a large answer is spilled back to the blob store. Never rejects for a missing or
 * unreadable input: that is a failure of the record.
 */
export async function sendInvocation(
  backend: Backend,
  blobs: BlobStore,
  request: { endpoint: string; body: string; signal: AbortSignal },
): Promise<BackendResult> {
  const { endpoint } = request;
  const pointer = parseInvocationPointer(request.body);
  if (!pointer)
    return unansweredFailure("invalid_invocation", "The invocation's stored request is unreadable.", false);
  // Claimed early (a worker prefetches) but not started in time: the TTL bounds the wait for a start.
  if (pointer.ttlUntil !== undefined && Date.now() >= pointer.ttlUntil) {
    return unansweredFailure(INVOCATION_CODES.ttlExpired, TTL_EXPIRED_MESSAGE, false);
  }
  let payload: Readable;
  try {
    payload = await blobs.get(pointer.input);
  } catch (err) {
    if (err instanceof DocketError && err.httpStatus === 404) {
      return unansweredFailure(
        INVOCATION_CODES.inputMissing,
        `The invocation's input (${pointer.input}) no longer exists.`,
        false,
      );
    }
    return unansweredFailure(
      "blob_store_error",
      `Reading the invocation's input failed: ${(err as Error).message}`,
      true,
    );
  }
  const headers = pointer.customAttributes
    ? { [CUSTOM_ATTRIBUTES_HEADER]: pointer.customAttributes }
    : undefined;
  const result = backend.streamsBodies
    ? await backend.send({
        endpoint,
        body: "",
        signal: request.signal,
        bodyStream: async () => payload,
        bodyBytes: pointer.bytes,
        timeoutMs: pointer.timeoutMs,
        headers,
        responseSink: (body) => spillLargeResponse(blobs, pointer.outputPrefix, body),
      })
    : await sendInMemory(backend, endpoint, payload, pointer, request.signal);
  return result.ok || result.code !== "timeout" ? result : timedOut(pointer);
}

/** For backends that take only strings (in-process engines): bounded, and under the deadline. */
async function sendInMemory(
  backend: Backend,
  endpoint: string,
  payload: Readable,
  pointer: InvocationPointer,
  signal: AbortSignal | undefined,
): Promise<BackendResult> {
  if (pointer.bytes > IN_MEMORY_PAYLOAD_MAX_BYTES) {
    payload.destroy();
    return unansweredFailure(
      "payload_too_large_for_backend",
      `This route's backend takes requests in memory, up to ${IN_MEMORY_PAYLOAD_MAX_BYTES} bytes; the payload has ${pointer.bytes}.`,
      false,
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of payload) chunks.push(chunk as Buffer);
  const deadline = new AbortController();
  const onAbort = () => deadline.abort();
  signal?.addEventListener("abort", onAbort, { once: true });
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    deadline.abort();
  }, pointer.timeoutMs);
  try {
    const result = await backend.send({
      endpoint,
      body: Buffer.concat(chunks).toString("utf8"),
      signal: deadline.signal,
    });
    return expired && !result.ok ? timedOut(pointer) : result;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

/** Past its processing deadline an invocation fails for good: retrying would only repeat it. */
function timedOut(pointer: InvocationPointer): BackendFailure {
  return unansweredFailure(
    INVOCATION_CODES.timeout,
    `The invocation did not finish within its invocation_timeout_seconds (${pointer.timeoutMs / 1000} s).`,
    false,
  );
}
