import type { Readable } from "node:stream";
import {
  type Backend,
  type BackendFailure,
  type BackendRequest,
  type BackendResult,
  unansweredFailure,
} from "../backends/backend.js";
import { BackendRegistry } from "../backends/backend-registry.js";
import type { BlobStore } from "../blobs/blob-store.js";
import { DocketError } from "../domain/errors.js";
import {
  INVOCATION_CODES,
  INVOCATION_ENDPOINT_PREFIX,
  type InvocationPointer,
  parseInvocationPointer,
} from "../domain/invocation.js";
import { TTL_EXPIRED_MESSAGE } from "../store/invocation-rows.js";
import { spillLargeResponse } from "./response-spill.js";

/** Payloads a backend without streaming support gets as a string, at most. */
export const IN_MEMORY_PAYLOAD_MAX_BYTES = 64 * 1024 * 1024;

/** Header the invocation's custom attributes travel in to the backend (SageMaker's idea). */
export const CUSTOM_ATTRIBUTES_HEADER = "x-docket-custom-attributes";

/**
 * The registry the worker uses: each route's backend wrapped so that records of invocation jobs
 * (their endpoint marked, src/domain/invocation.ts) have their payload streamed from the blob
 * store and large answers spilled back to it. Other records pass straight through. The inner
 * registry stays the owner of the backends: close it, not this one.
 */
export function invocationAwareBackends(inner: BackendRegistry, blobs: BlobStore): BackendRegistry {
  return new BackendRegistry((route) => new InvocationBackend(inner.get(route), blobs));
}

export class InvocationBackend implements Backend {
  constructor(
    private readonly inner: Backend,
    private readonly blobs: BlobStore,
  ) {}

  get streamsBodies(): boolean | undefined {
    return this.inner.streamsBodies;
  }

  send(request: BackendRequest): Promise<BackendResult> {
    if (!request.endpoint.startsWith(INVOCATION_ENDPOINT_PREFIX)) return this.inner.send(request);
    return this.sendInvocation(request);
  }

  /** The inner backend is closed by its own registry. */
  async close(): Promise<void> {}

  private async sendInvocation(request: BackendRequest): Promise<BackendResult> {
    const endpoint = request.endpoint.slice(INVOCATION_ENDPOINT_PREFIX.length);
    const pointer = parseInvocationPointer(request.body);
    if (!pointer)
      return unansweredFailure("invalid_invocation", "The invocation's stored request is unreadable.", false);
    // Claimed early (a worker prefetches) but not started in time: the TTL bounds the wait for a start.
    if (pointer.ttlUntil !== undefined && Date.now() >= pointer.ttlUntil) {
      return unansweredFailure(INVOCATION_CODES.ttlExpired, TTL_EXPIRED_MESSAGE, false);
    }
    let payload: Readable;
    try {
      payload = await this.blobs.get(pointer.input);
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
    const result = this.inner.streamsBodies
      ? await this.inner.send({
          endpoint,
          body: "",
          signal: request.signal,
          bodyStream: async () => payload,
          bodyBytes: pointer.bytes,
          timeoutMs: pointer.timeoutMs,
          headers,
          responseSink: (body) => spillLargeResponse(this.blobs, pointer.outputPrefix, body),
        })
      : await this.sendInMemory(endpoint, payload, pointer, request.signal);
    return result.ok || result.code !== "timeout" ? result : timedOut(pointer);
  }

  /** For backends that take only strings (in-process engines): bounded, and under the deadline. */
  private async sendInMemory(
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
      const result = await this.inner.send({
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
}

/** Past its processing deadline an invocation fails for good: retrying would only repeat it. */
function timedOut(pointer: InvocationPointer): BackendFailure {
  return unansweredFailure(
    INVOCATION_CODES.timeout,
    `The invocation did not finish within its invocation_timeout_seconds (${pointer.timeoutMs / 1000} s).`,
    false,
  );
}
