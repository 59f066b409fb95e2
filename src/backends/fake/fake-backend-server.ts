import type { IncomingMessage, ServerResponse } from "node:http";
import { openAIErrorBody } from "../openai-wire/error-body.js";
import { applyControl } from "./fake-control.js";
import { listenFake, requestPath } from "./fake-listen.js";
import {
  FAKE_DEFAULTS,
  type FakeBackendOptions,
  mergeFakeOptions,
  type ResolvedFakeOptions,
} from "./fake-options.js";
import { type FakeEndpoint, type FakeRequest, isRequestError, parseFakeRequest } from "./fake-requests.js";
import { completionLength, fakeResponseBody } from "./fake-responses.js";
import { FakeServerState } from "./fake-server-state.js";
import type { FakeStats } from "./fake-stats.js";
import { KEPT_PREFIX_CHARS, standInBody } from "./large-body.js";
import { rateLimitHeaders } from "./sliding-window-limit.js";

export interface StartFakeBackendOptions extends FakeBackendOptions {
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** Defaults to 0: any free port. */
  port?: number;
}

export interface FakeBackend {
  /** Base URL ending in `/v1`, ready for an OpenAI client's `baseURL`. */
  url: string;
  port: number;
  stats(): FakeStats;
  /** Changes behaviour while running (also reachable as `POST /control`). */
  setOptions(partial: FakeBackendOptions): void;
  resetStats(): void;
  close(): Promise<void>;
}

const ENDPOINTS: Record<string, FakeEndpoint> = {
  "/v1/chat/completions": "chat",
  "/v1/completions": "completions",
  "/v1/embeddings": "embeddings",
  "/v1/responses": "responses",
};

/**
 * A fake OpenAI-compatible server for tests and benchmarks, on node:http. It must outrun the
 * client it measures (>10k req/s on loopback), so the per-request path does no logging, no
 * allocation beyond the answer, and only draws one random number.
 */
export async function startFakeBackend(options: StartFakeBackendOptions = {}): Promise<FakeBackend> {
  const { host = "127.0.0.1", port = 0, ...behaviour } = options;
  const state = new FakeServerState<ResolvedFakeOptions>(mergeFakeOptions(FAKE_DEFAULTS, behaviour));
  const { limit, counters } = state;

  function setOptions(partial: unknown): void {
    state.update(mergeFakeOptions(state.opts, partial));
  }

  function stats(): FakeStats {
    return state.stats();
  }

  function resetStats(): void {
    state.resetStats();
  }

  function send(res: ServerResponse, status: number, body: string, requestId: string, extra?: Headers): void {
    const headers: Headers = {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      "x-request-id": requestId,
    };
    if (extra) Object.assign(headers, extra);
    res.writeHead(status, headers);
    res.end(body);
  }

  function handleApi(endpoint: FakeEndpoint, path: string, body: string, res: ServerResponse): void {
    const opts = state.opts;
    const exchange = state.open(path, body);
    const suffix = exchange.suffix;
    const requestId = `req_${suffix}`;
    const reply = (status: number, text: string, extra?: Headers) => {
      exchange.answered(status, text);
      send(res, status, text, requestId, extra);
    };

    if (opts.fail400Marker !== null && body.includes(opts.fail400Marker)) {
      counters.countMarker(opts.fail400Marker);
      const message = `Invalid request: the body contains the failure marker '${opts.fail400Marker}'.`;
      reply(400, openAIErrorBody(message, "invalid_request_error", null, "fake_failure_marker"));
      return;
    }
    const parsed = parseFakeRequest(endpoint, body);
    if (isRequestError(parsed)) {
      reply(parsed.status, openAIErrorBody(parsed.message, parsed.type, parsed.param, parsed.code));
      return;
    }
    const request: FakeRequest = parsed;
    const outputTokens =
      request.endpoint === "embeddings" ? 0 : completionLength(request, opts.outputTokens).tokens * request.n;
    let rateHeaders: Headers | undefined;
    if (limit.active) {
      const cost =
        request.promptTokens +
        (request.endpoint === "embeddings" ? 0 : (request.maxTokens ?? opts.outputTokens) * request.n);
      const decision = limit.admit(cost, Date.now());
      if (!decision.ok) {
        const extra: Headers = {};
        if (decision.retryAfterMs !== null) {
          extra["retry-after"] = String(Math.ceil(decision.retryAfterMs / 1000));
          extra["retry-after-ms"] = String(decision.retryAfterMs);
        }
        reply(429, openAIErrorBody(decision.message, decision.kind, null, "rate_limit_exceeded"), extra);
        return;
      }
      rateHeaders = rateLimitHeaders(limit, decision);
    }

    state.drawThenServe(
      res,
      [
        [
          opts.rate429,
          () => {
            const message = "Rate limit reached (simulated by the fake backend). Please try again later.";
            reply(429, openAIErrorBody(message, "requests", null, "rate_limit_exceeded"), {
              "retry-after": String(opts.retryAfterSeconds),
            });
          },
        ],
        [
          opts.rate500,
          () => {
            const message = "The server had an error while processing your request. Sorry about that!";
            reply(500, openAIErrorBody(message, "server_error", null, null));
          },
        ],
      ],
      () => state.opts.latencyMs + outputTokens * state.opts.latencyPerOutputTokenMs,
      () => {
        const text = fakeResponseBody(request, {
          idSuffix: suffix,
          created: Math.floor(Date.now() / 1000),
          outputTokens: state.opts.outputTokens,
          embeddingDim: state.opts.embeddingDim,
        });
        reply(200, text, rateHeaders);
      },
    );
  }

  function handleControl(body: string, res: ServerResponse): void {
    const problem = applyControl(body, setOptions, resetStats);
    if (problem === null) send(res, 200, JSON.stringify(state.opts), "control");
    else {
      const error = openAIErrorBody(problem, "invalid_request_error", null, "invalid_fake_backend_option");
      send(res, 400, error, "control");
    }
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const path = requestPath(req);
    const endpoint = ENDPOINTS[path];
    if (req.method === "GET") {
      req.resume();
      if (path === "/stats") {
        send(res, 200, JSON.stringify(stats()), "stats");
        return;
      }
      if (path === "/v1/models") {
        send(res, 200, MODELS, "models");
        return;
      }
    }
    if (req.method !== "POST" || (endpoint === undefined && path !== "/control")) {
      req.resume();
      const status = endpoint === undefined && path !== "/control" ? 404 : 405;
      const message =
        status === 404
          ? `Unknown path ${req.method} ${path} on the fake backend.`
          : `Method ${req.method} not allowed.`;
      send(res, status, openAIErrorBody(message, "invalid_request_error", null, null), "none");
      return;
    }
    // Stamped as soon as the headers are in: the moment the request reached the backend.
    if (endpoint !== undefined && state.opts.recordArrivals) {
      counters.arrivals.push(performance.timeOrigin + performance.now());
    }
    let body = "";
    let length = 0;
    const discardOver = endpoint === undefined ? Number.POSITIVE_INFINITY : state.opts.discardBodiesOver;
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      length += chunk.length;
      if (length <= discardOver) body += chunk;
      else if (body.length < KEPT_PREFIX_CHARS) body += chunk.slice(0, KEPT_PREFIX_CHARS - body.length);
    });
    req.on("end", () => {
      if (endpoint === undefined) handleControl(body, res);
      else if (length > discardOver) {
        counters.discardedBodies++;
        counters.discardedChars += length;
        handleApi(endpoint, path, standInBody(endpoint, body), res);
      } else handleApi(endpoint, path, body, res);
    });
  }

  const server = await listenFake(host, port, onRequest);
  return {
    url: `${server.origin}/v1`,
    port: server.port,
    stats,
    setOptions,
    resetStats,
    close: server.close,
  };
}

type Headers = Record<string, string | number>;

const MODELS = JSON.stringify({
  object: "list",
  data: [{ id: "fake-model", object: "model", created: 0, owned_by: "docket" }],
});
