import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { listenFake, readBoundedBody, requestPath } from "../fake/fake-listen.js";
import { FAKE_DEFAULTS } from "../fake/fake-options.js";
import { FakeServerState } from "../fake/fake-server-state.js";
import type { FakeStats } from "../fake/fake-stats.js";
import { hashText } from "../fake/text-hash.js";
import { ANTHROPIC_ERROR_STATUS, type AnthropicErrorType, anthropicErrorBody } from "./anthropic-error.js";
import {
  type FakeAnthropicOptions,
  mergeAnthropicOptions,
  type ResolvedAnthropicOptions,
} from "./fake-anthropic-options.js";
import type { FakeMessageBatchOptions, FakeMessageBatchStats } from "./message-batch-options.js";
import { type BatchAnswer, FakeMessageBatches } from "./message-batches.js";
import { isMessagesRequestError, type MessagesRequest, parseMessagesRequest } from "./messages-request.js";
import { messageBody } from "./messages-response.js";

export interface StartFakeAnthropicOptions extends FakeAnthropicOptions {
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** Defaults to 0: any free port. */
  port?: number;
  /** Knobs of the Message Batches API (`/v1/messages/batches`). */
  batches?: FakeMessageBatchOptions;
}

/** The same shape as the OpenAI fake's handle, so tests drive both alike. */
export interface FakeAnthropic {
  /** Base URL without `/v1`, ready for the Anthropic SDK's `baseURL` and Docket's `anthropic` backend. */
  url: string;
  port: number;
  stats(): FakeStats;
  setOptions(partial: FakeAnthropicOptions): void;
  resetStats(): void;
  /** The Message Batches API's knobs and counts. */
  batches: {
    setOptions(partial: FakeMessageBatchOptions): void;
    /** Batches in progress end at the next look, as though their turnaround had passed. */
    endInProgress(): void;
    stats(): FakeMessageBatchStats;
    resetStats(): void;
  };
  close(): Promise<void>;
}

/** Anthropic refuses requests over 32 MB with 413 request_too_large; so does the fake. */
export const MAX_REQUEST_BYTES = 32 * 1024 * 1024;
/** Anthropic takes Message Batches of up to 256 MB. */
export const MAX_BATCH_REQUEST_BYTES = 256 * 1024 * 1024;
/** Result lines a streamed results file writes at once (~40 KiB of short answers). */
const STREAM_LINES_PER_WRITE = 100;
/** Cache prefixes remembered at most; past it the cache starts empty again (as if evicted). */
const MAX_CACHED_PREFIXES = 100_000;

const DEFAULTS: ResolvedAnthropicOptions = { ...FAKE_DEFAULTS, rate529: 0, apiKey: null };

type Headers = Record<string, string | number>;

/**
 * A fake of Anthropic's Messages API on node:http: `POST /v1/messages` and
 * `POST /v1/messages/count_tokens`, with the OpenAI fake's failure knobs, capacity queue,
 * sliding-window limits and stats, and Anthropic's error shapes and statuses (429
 * rate_limit_error with `retry-after`, 529 overloaded_error, 500 api_error, 401
 * authentication_error). Prompt caching is simulated: a request with `cache_control` writes its
 * prefix to the cache the first time and reads it afterwards, so usage carries both cache counts.
 * `GET /stats` answers stats() for processes that run it from the CLI.
 */
export async function startFakeAnthropic(options: StartFakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const { host = "127.0.0.1", port = 0, batches: batchOptions, ...behaviour } = options;
  const state = new FakeServerState(mergeAnthropicOptions(DEFAULTS, behaviour));
  const { limit, counters } = state;
  // Batch ids differ between fakes, as they do between accounts.
  const batchInstance = randomBytes(4).toString("hex");
  let batchSequence = 0;
  const messageBatches = new FakeMessageBatches({
    random: () => state.random(),
    get fail400Marker() {
      return state.opts.fail400Marker;
    },
    get outputTokens() {
      return state.opts.outputTokens;
    },
    newSuffix: () => `${batchInstance}${(++batchSequence).toString(36)}`,
  });
  if (batchOptions) messageBatches.setOptions(batchOptions);
  const cachedPrefixes = new Set<number>();

  function send(res: ServerResponse, status: number, body: string, requestId: string, extra?: Headers): void {
    res.writeHead(status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      "request-id": requestId,
      ...extra,
    });
    res.end(body);
  }

  /**
   * A results file as Anthropic sends one: chunked, its first lines on the wire before the last
   * are read, at the pace the client takes them (a write that fills the socket's buffer waits
   * for it to drain), rather than the whole file built as one string first.
   */
  function streamLines(
    res: ServerResponse,
    status: number,
    lines: readonly string[],
    requestId: string,
    contentType: string,
  ): void {
    res.writeHead(status, { "content-type": contentType, "request-id": requestId });
    let next = 0;
    const write = (): void => {
      while (next < lines.length) {
        const end = Math.min(lines.length, next + STREAM_LINES_PER_WRITE);
        const chunk = lines.slice(next, end).join("");
        next = end;
        if (!res.write(chunk)) {
          res.once("drain", write);
          return;
        }
      }
      res.end();
    };
    res.on("close", () => res.off("drain", write));
    write();
  }

  function handleApi(
    path: string,
    body: string,
    headers: IncomingMessage["headers"],
    res: ServerResponse,
  ): void {
    const opts = state.opts;
    const exchange = state.open(path, body);
    const requestId = `req_${exchange.suffix}`;
    const reply = (status: number, text: string, extra?: Headers) => {
      exchange.answered(status, text);
      send(res, status, text, requestId, extra);
    };
    const fail = (type: AnthropicErrorType, message: string, extra?: Headers) =>
      reply(ANTHROPIC_ERROR_STATUS[type], anthropicErrorBody(type, message, requestId), extra);

    if (opts.apiKey !== null && presentedKey(headers) !== opts.apiKey) {
      fail("authentication_error", "invalid x-api-key");
      return;
    }
    if (typeof headers["anthropic-version"] !== "string") {
      fail("invalid_request_error", "anthropic-version: header is required");
      return;
    }
    if (opts.fail400Marker !== null && body.includes(opts.fail400Marker)) {
      counters.countMarker(opts.fail400Marker);
      fail(
        "invalid_request_error",
        `Invalid request: the body contains the failure marker '${opts.fail400Marker}'.`,
      );
      return;
    }
    const countOnly = path === "/v1/messages/count_tokens";
    const parsed = parseMessagesRequest(body, countOnly ? "count_tokens" : "create");
    if (isMessagesRequestError(parsed)) {
      fail("invalid_request_error", parsed.message);
      return;
    }
    if (countOnly) {
      reply(200, JSON.stringify({ input_tokens: parsed.promptTokens }));
      return;
    }
    const request: MessagesRequest = parsed;
    const maxTokens = request.maxTokens ?? opts.outputTokens;
    if (limit.active) {
      const decision = limit.admit(request.promptTokens + maxTokens, Date.now());
      if (!decision.ok) {
        const extra: Headers = {};
        if (decision.retryAfterMs !== null)
          extra["retry-after"] = String(Math.ceil(decision.retryAfterMs / 1000));
        fail("rate_limit_error", decision.message, extra);
        return;
      }
    }

    state.drawThenServe(
      res,
      [
        [
          opts.rate429,
          () =>
            fail(
              "rate_limit_error",
              "Number of requests has exceeded your rate limit (simulated by the fake).",
              {
                "retry-after": String(opts.retryAfterSeconds),
              },
            ),
        ],
        [opts.rate529, () => fail("overloaded_error", "Overloaded")],
        [opts.rate500, () => fail("api_error", "Internal server error")],
      ],
      () =>
        state.opts.latencyMs +
        Math.min(maxTokens, state.opts.outputTokens) * state.opts.latencyPerOutputTokenMs,
      () =>
        reply(
          200,
          messageBody(request, {
            idSuffix: exchange.suffix,
            outputTokens: state.opts.outputTokens,
            cache: cacheUse(request),
          }).body,
        ),
    );
  }

  /** Writes the request's cacheable prefix on first sight, reads it afterwards. */
  function cacheUse(request: MessagesRequest): "none" | "write" | "read" {
    if (request.cacheableChars === 0) return "none";
    const key = hashText(request.promptText.slice(0, request.cacheableChars), hashText(request.model));
    if (cachedPrefixes.has(key)) return "read";
    if (cachedPrefixes.size >= MAX_CACHED_PREFIXES) cachedPrefixes.clear();
    cachedPrefixes.add(key);
    return "write";
  }

  /** `/v1/messages/batches[/:id[/cancel|/results]]`, with the same key and version checks. */
  function handleBatches(req: IncomingMessage, res: ServerResponse, path: string, body: string): void {
    const requestId = `req_${state.open(path, body).suffix}`;
    const answer = (a: BatchAnswer) => {
      if ("error" in a) {
        const extra: Headers =
          a.error === "rate_limit_error" ? { "retry-after": String(state.opts.retryAfterSeconds) } : {};
        send(
          res,
          ANTHROPIC_ERROR_STATUS[a.error],
          anthropicErrorBody(a.error, a.message, requestId),
          requestId,
          extra,
        );
      } else if ("lines" in a) streamLines(res, a.status, a.lines, requestId, a.contentType);
      else send(res, a.status, a.body, requestId, a.contentType ? { "content-type": a.contentType } : {});
    };
    if (state.opts.apiKey !== null && presentedKey(req.headers) !== state.opts.apiKey) {
      answer({ error: "authentication_error", message: "invalid x-api-key" });
      return;
    }
    if (typeof req.headers["anthropic-version"] !== "string") {
      answer({ error: "invalid_request_error", message: "anthropic-version: header is required" });
      return;
    }
    const origin = `http://${req.headers.host ?? `${host}:${port}`}`;
    const now = Date.now();
    const [id, action] = path.slice("/v1/messages/batches/".length).split("/");
    const list = path === "/v1/messages/batches";
    if (list && req.method === "POST") answer(messageBatches.create(body, origin, now));
    else if (list && req.method === "GET")
      answer(messageBatches.list(new URL(req.url ?? "/", origin).searchParams, origin, now));
    else if (!list && req.method === "GET" && id && action === undefined)
      answer(messageBatches.retrieve(id, origin, now));
    else if (!list && req.method === "POST" && id && action === "cancel")
      answer(messageBatches.cancel(id, origin, now));
    else if (!list && req.method === "GET" && id && action === "results")
      answer(messageBatches.results(id, now));
    else answer({ error: "not_found_error", message: `Not found: ${req.method} ${path}` });
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const path = requestPath(req);
    if (req.method === "GET" && path === "/stats") {
      req.resume();
      send(res, 200, JSON.stringify(state.stats()), "stats");
      return;
    }
    if (path === "/v1/messages/batches" || path.startsWith("/v1/messages/batches/")) {
      readBoundedBody(req, MAX_BATCH_REQUEST_BYTES, (body) => {
        if (body === null) {
          const message = `Request exceeds the maximum allowed number of bytes (${MAX_BATCH_REQUEST_BYTES}).`;
          send(res, 413, anthropicErrorBody("request_too_large", message, "none"), "none");
        } else handleBatches(req, res, path, body);
      });
      return;
    }
    if (req.method !== "POST" || (path !== "/v1/messages" && path !== "/v1/messages/count_tokens")) {
      req.resume();
      send(
        res,
        404,
        anthropicErrorBody("not_found_error", `Not found: ${req.method} ${path}`, "none"),
        "none",
      );
      return;
    }
    if (state.opts.recordArrivals) counters.arrivals.push(performance.timeOrigin + performance.now());
    readBoundedBody(req, MAX_REQUEST_BYTES, (body) => {
      if (body === null) {
        const message = `Request exceeds the maximum allowed number of bytes (${MAX_REQUEST_BYTES}).`;
        send(res, 413, anthropicErrorBody("request_too_large", message, "none"), "none");
      } else handleApi(path, body, req.headers, res);
    });
  }

  const server = await listenFake(host, port, onRequest);
  return {
    url: server.origin,
    port: server.port,
    stats: () => state.stats(),
    setOptions: (partial) => state.update(mergeAnthropicOptions(state.opts, partial)),
    resetStats: () => state.resetStats(),
    batches: {
      setOptions: (partial) => messageBatches.setOptions(partial),
      endInProgress: () => messageBatches.endInProgress(Date.now()),
      stats: () => messageBatches.stats(),
      resetStats: () => messageBatches.resetStats(),
    },
    close: server.close,
  };
}

/** Anthropic takes the key as `x-api-key`; its SDK 1.14 sends `authorization: Bearer` instead. */
function presentedKey(headers: IncomingMessage["headers"]): string | null {
  const key = headers["x-api-key"];
  if (typeof key === "string") return key;
  const auth = headers.authorization;
  return typeof auth === "string" && auth.startsWith("Bearer ") ? auth.slice(7) : null;
}
