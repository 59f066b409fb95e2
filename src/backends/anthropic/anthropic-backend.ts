import { type Backend, type BackendRequest, type BackendResult, unansweredFailure } from "../backend.js";
import { parseBaseUrl } from "../openai-compatible/endpoint-path.js";
import { OpenAICompatibleBackend } from "../openai-compatible/openai-compatible-backend.js";

export const ANTHROPIC_DEFAULT_BASE_URL = "https://api.anthropic.com";
/** The API version Docket's requests are written against (Anthropic's stable Messages version). */
export const ANTHROPIC_DEFAULT_VERSION = "2023-06-01";
/** The one endpoint this backend serves; others reach it only through bridging (src/bridge). */
export const ANTHROPIC_MESSAGES_ENDPOINT = "/v1/messages";

export interface AnthropicBackendOptions {
  /** Like the Anthropic SDK's `baseURL`: the host without `/v1` (default https://api.anthropic.com). */
  baseUrl?: string;
  /** Sent as `x-api-key`. */
  apiKey?: string;
  /** The `anthropic-version` header (default 2023-06-01). */
  version?: string;
  /** Extra headers on every request (`anthropic-beta`, gateway keys…); they win over the defaults. */
  headers?: Record<string, string>;
  concurrency: number;
  timeoutMs: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
}

/**
 * Anthropic's Messages API (`POST {baseUrl}/v1/messages`). The transport is the OpenAI-compatible
 * backend's (undici pool, deadlines, streamed bodies, cancellation, failure classification):
 * nothing in it is OpenAI's but the name, and both providers answer failures the same way — 429
 * with `retry-after`, 529 `overloaded_error` and other 5xx retried, other 4xx final with the body
 * kept. What differs is said here: the key goes in `x-api-key`, `anthropic-version` is required,
 * the base URL has no `/v1`, and only `/v1/messages` is served.
 */
export class AnthropicBackend implements Backend {
  readonly streamsBodies = true;
  private readonly transport: OpenAICompatibleBackend;

  constructor(options: AnthropicBackendOptions) {
    const headers: Record<string, string> = {
      "anthropic-version": options.version ?? ANTHROPIC_DEFAULT_VERSION,
    };
    if (options.apiKey) headers["x-api-key"] = options.apiKey;
    this.transport = new OpenAICompatibleBackend({
      baseUrl: versionedBaseUrl(options.baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL),
      headers: { ...headers, ...options.headers },
      concurrency: options.concurrency,
      timeoutMs: options.timeoutMs,
      headersTimeoutMs: options.headersTimeoutMs,
      bodyTimeoutMs: options.bodyTimeoutMs,
    });
  }

  send(request: BackendRequest): Promise<BackendResult> {
    if (request.endpoint !== ANTHROPIC_MESSAGES_ENDPOINT) {
      // Bridging translates other dialects before a record reaches a backend; arriving here is a
      // routing bug, and retrying would only repeat it.
      return Promise.resolve(
        unansweredFailure(
          "unsupported_endpoint",
          `The Anthropic backend serves only ${ANTHROPIC_MESSAGES_ENDPOINT}, not ${request.endpoint}.`,
          false,
        ),
      );
    }
    return this.transport.send(request);
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}

/**
 * The transport takes OpenAI-style base URLs that end in the API version and drops the
 * endpoint's own `/v1`; Anthropic's base URL (like its SDK's) is the bare host, so the version
 * is put back on the path, keeping any gateway prefix and query string.
 */
function versionedBaseUrl(baseUrl: string): string {
  try {
    parseBaseUrl(baseUrl); // http(s) only
  } catch {
    throw new Error(
      `Anthropic base URL '${baseUrl}' must be an http(s) URL such as ${ANTHROPIC_DEFAULT_BASE_URL} (without /v1).`,
    );
  }
  const url = new URL(baseUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/v1`;
  return url.toString();
}
