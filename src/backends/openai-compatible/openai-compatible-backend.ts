import { Pool } from "undici";
import type { Backend, BackendRequest, BackendResult } from "../backend.js";
import { type BaseUrlParts, endpointPath, parseBaseUrl } from "./endpoint-path.js";
import { type EndReason, failureFromError, type PhaseTimeouts } from "./failures.js";
import { RequestCancel } from "./request-cancel.js";
import { resultFromResponse } from "./response-result.js";
import { sendStreamed } from "./streamed-request.js";

export interface OpenAICompatibleBackendOptions {
  /** Like the OpenAI SDK's `baseURL`: `http://127.0.0.1:8000/v1`. */
  baseUrl: string;
  apiKey?: string;
  /** Extra headers on every request (gateway keys, organisation ids…). */
  headers?: Record<string, string>;
  /** Requests in flight at once; the pool opens this many keep-alive connections. */
  concurrency: number;
  /** Whole-request deadline, from send() to the last byte of the body. */
  timeoutMs: number;
  /**
   * From the request sent to the response headers; default: the request's whole deadline (a
   * non-streamed completion sends its headers only once it is done).
   */
  headersTimeoutMs?: number;
  /** Longest silence between two chunks of a response body (default 120 s). */
  bodyTimeoutMs?: number;
}

/**
 * Mid-body silence that means a stalled backend: once headers are out, a server streams or
 * sends its answer at once; two minutes without a byte is a hung connection, not a slow model.
 */
export const DEFAULT_BODY_TIMEOUT_MS = 120_000;

/**
 * Any server speaking OpenAI's HTTP API: OpenAI itself, vLLM, SGLang, llama.cpp's server,
 * TGI, LiteLLM, Azure-style gateways. The request body goes through untouched and the answer
 * comes back verbatim; only the status decides success, failure and retryability.
 *
 * An undici Pool rather than global fetch: fetch costs ~0.4 ms a call on loopback against
 * ~0.08 ms here (docs MACHINE-NOTES), which matters when the backend is a fast local server.
 */
export class OpenAICompatibleBackend implements Backend {
  readonly streamsBodies = true;
  private readonly pool: Pool;
  private readonly base: BaseUrlParts;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly headersTimeoutMs: number | undefined;
  private readonly bodyTimeoutMs: number;
  private readonly paths = new Map<string, string>();

  constructor(options: OpenAICompatibleBackendOptions) {
    this.base = parseBaseUrl(options.baseUrl);
    this.timeoutMs = options.timeoutMs;
    this.headersTimeoutMs = options.headersTimeoutMs;
    this.bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
    this.headers = { "content-type": "application/json", accept: "application/json", ...options.headers };
    if (options.apiKey) this.headers.authorization = `Bearer ${options.apiKey}`;
    this.pool = new Pool(this.base.origin, {
      connections: Math.max(1, options.concurrency),
      pipelining: 1,
      // Our own deadline covers the whole request; each request sets undici's per-phase limits
      // (phasesFor), whose 300 s defaults would cut long generations short.
      headersTimeout: 0,
      bodyTimeout: 0,
      // undici's default idle keep-alive (4 s) stays under uvicorn's 5 s, which vLLM and SGLang
      // use without a Keep-Alive hint; a longer one would race the server's close and fail
      // POSTs with connection resets.
    });
  }

  async send(request: BackendRequest): Promise<BackendResult> {
    if (request.bodyStream !== undefined) {
      return sendStreamed(
        this.pool,
        this.pathFor(request.endpoint),
        this.headers,
        this.timeoutMs,
        { ...request, bodyStream: request.bodyStream },
        (timeoutMs) => this.phasesFor(timeoutMs),
      );
    }
    const caller = request.signal;
    if (caller?.aborted) return failureFromError(caller.reason, "aborted", this.timeoutMs);
    const phases = this.phasesFor(this.timeoutMs);

    const cancel = new RequestCancel();
    let reason: EndReason = null;
    const timer = setTimeout(() => {
      reason = "timeout";
      cancel.abort(new Error(`Timed out after ${this.timeoutMs} ms`));
    }, this.timeoutMs);
    const onAbort = () => {
      reason ??= "aborted";
      cancel.abort(new Error("Aborted by the caller"));
    };
    caller?.addEventListener("abort", onAbort, { once: true });

    try {
      const response = await this.pool.request({
        method: "POST",
        path: this.pathFor(request.endpoint),
        headers: this.headers,
        body: request.body,
        signal: cancel,
        headersTimeout: phases.headersTimeoutMs,
        bodyTimeout: phases.bodyTimeoutMs,
      });
      let body: string;
      try {
        body = await response.body.text();
      } catch (error) {
        response.body.destroy();
        throw error;
      }
      return resultFromResponse(response.statusCode, body, response.headers);
    } catch (error) {
      return failureFromError(error, reason, this.timeoutMs, phases);
    } finally {
      clearTimeout(timer);
      caller?.removeEventListener("abort", onAbort);
    }
  }

  async close(): Promise<void> {
    if (!this.pool.closed) await this.pool.close();
  }

  /** undici's per-phase limits for a request whose whole deadline is `timeoutMs`. */
  private phasesFor(timeoutMs: number): PhaseTimeouts {
    return { headersTimeoutMs: this.headersTimeoutMs ?? timeoutMs, bodyTimeoutMs: this.bodyTimeoutMs };
  }

  private pathFor(endpoint: string): string {
    let path = this.paths.get(endpoint);
    if (path === undefined) {
      path = endpointPath(this.base, endpoint);
      this.paths.set(endpoint, path);
    }
    return path;
  }
}
