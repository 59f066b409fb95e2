import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { seededRandom } from "../../domain/seeded-random.js";
import { openAIErrorBody } from "../openai-wire/error-body.js";
import { CapacityQueue } from "./capacity-queue.js";
import {
  compileMarkerPattern,
  FAKE_DEFAULTS,
  type FakeBackendOptions,
  FakeOptionsError,
  mergeFakeOptions,
  type ResolvedFakeOptions,
} from "./fake-options.js";
import { type FakeEndpoint, type FakeRequest, isRequestError, parseFakeRequest } from "./fake-requests.js";
import { completionLength, fakeResponseBody } from "./fake-responses.js";
import { FakeCounters, type FakeStats } from "./fake-stats.js";
import { KEPT_PREFIX_CHARS, standInBody } from "./large-body.js";
import { rateLimitHeaders, SlidingWindowLimit } from "./sliding-window-limit.js";

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
  let opts: ResolvedFakeOptions = mergeFakeOptions(FAKE_DEFAULTS, behaviour);
  let random = seededRandom(opts.seed);
  let markerRegExp = opts.markerPattern ? compileMarkerPattern(opts.markerPattern) : null;
  const capacity = new CapacityQueue(opts.capacity);
  const limit = new SlidingWindowLimit(opts.rpm, opts.tpm);
  const instance = randomBytes(4).toString("hex");
  let sequence = 0;
  const counters = new FakeCounters();

  function setOptions(partial: unknown): void {
    const next = mergeFakeOptions(opts, partial);
    if (next.seed !== opts.seed) random = seededRandom(next.seed);
    markerRegExp = next.markerPattern ? compileMarkerPattern(next.markerPattern) : null;
    capacity.setLimit(next.capacity);
    limit.rpm = next.rpm;
    limit.tpm = next.tpm;
    opts = next;
  }

  function stats(): FakeStats {
    const snapshot: FakeStats = {
      requests: counters.requests,
      byStatus: { ...counters.byStatus },
      byPath: { ...counters.byPath },
      inFlight: capacity.inUse,
      maxInFlight: capacity.maxInUse,
      queued: capacity.queued,
      maxQueued: capacity.maxQueued,
      hanging: counters.hanging,
      abandoned: counters.abandoned,
      markers: { ...counters.markers },
    };
    if (opts.recordBodies) snapshot.bodies = counters.bodies.map((b) => ({ ...b }));
    if (opts.recordArrivals) snapshot.arrivals = [...counters.arrivals];
    if (counters.discardedBodies > 0) {
      snapshot.discarded = { bodies: counters.discardedBodies, chars: counters.discardedChars };
    }
    return snapshot;
  }

  function resetStats(): void {
    counters.reset();
    capacity.resetPeaks();
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
    counters.requests++;
    counters.byPath[path] = (counters.byPath[path] ?? 0) + 1;
    const suffix = `${instance}${(++sequence).toString(36)}`;
    const requestId = `req_${suffix}`;
    const record = opts.recordBodies
      ? { path, request: body, status: null as number | null, response: null as string | null }
      : null;
    if (record) counters.bodies.push(record);
    const reply = (status: number, text: string, extra?: Headers) => {
      counters.byStatus[status] = (counters.byStatus[status] ?? 0) + 1;
      if (record) {
        record.status = status;
        record.response = text;
      }
      send(res, status, text, requestId, extra);
    };
    if (markerRegExp) countMarkers(body, markerRegExp);

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

    const draw = random();
    if (draw < opts.rate429) {
      const message = "Rate limit reached (simulated by the fake backend). Please try again later.";
      reply(429, openAIErrorBody(message, "requests", null, "rate_limit_exceeded"), {
        "retry-after": String(opts.retryAfterSeconds),
      });
      return;
    }
    if (draw < opts.rate429 + opts.rate500) {
      const message = "The server had an error while processing your request. Sorry about that!";
      reply(500, openAIErrorBody(message, "server_error", null, null));
      return;
    }
    if (draw < opts.rate429 + opts.rate500 + opts.rateHang) {
      counters.hanging++;
      res.once("close", () => {
        counters.hanging--;
        counters.abandoned++;
      });
      return;
    }

    // Served: wait for a slot, then for the simulated compute time, then answer.
    let timer: NodeJS.Timeout | null = null;
    let serving = false;
    let dueAt = 0;
    const finish = () => {
      timer = null;
      const text = fakeResponseBody(request, {
        idSuffix: suffix,
        created: Math.floor(Date.now() / 1000),
        outputTokens: opts.outputTokens,
        embeddingDim: opts.embeddingDim,
      });
      reply(200, text, rateHeaders);
      capacity.release(dueAt);
    };
    const cancel = capacity.acquire((startedAt) => {
      serving = true;
      const delay = opts.latencyMs + outputTokens * opts.latencyPerOutputTokenMs;
      dueAt = startedAt + delay;
      if (delay > 0) timer = setTimeout(finish, Math.max(0, dueAt - Date.now()));
      else finish();
    });
    if (res.writableEnded) return;
    res.once("close", () => {
      if (res.writableFinished) return;
      counters.abandoned++;
      // The client left: free its slot (or its place in the queue), as vLLM aborts such requests.
      if (!serving) cancel();
      else if (timer !== null) {
        clearTimeout(timer);
        timer = null;
        capacity.release();
      }
    });
  }

  function countMarkers(body: string, pattern: RegExp): void {
    for (const match of body.matchAll(pattern)) counters.countMarker(match[1] ?? match[0]);
  }

  function handleControl(body: string, res: ServerResponse): void {
    try {
      const parsed: unknown = body ? JSON.parse(body) : {};
      if (typeof parsed === "object" && parsed !== null && "resetStats" in parsed) {
        const { resetStats: reset, ...rest } = parsed as Record<string, unknown>;
        setOptions(rest);
        if (reset === true) resetStats();
      } else setOptions(parsed);
      send(res, 200, JSON.stringify(opts), "control");
    } catch (error) {
      const message =
        error instanceof FakeOptionsError ? error.message : `Invalid JSON: ${(error as Error).message}`;
      send(
        res,
        400,
        openAIErrorBody(message, "invalid_request_error", null, "invalid_fake_backend_option"),
        "control",
      );
    }
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const rawUrl = req.url ?? "/";
    const q = rawUrl.indexOf("?");
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
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
    if (endpoint !== undefined && opts.recordArrivals) {
      counters.arrivals.push(performance.timeOrigin + performance.now());
    }
    let body = "";
    let length = 0;
    const discardOver = endpoint === undefined ? Number.POSITIVE_INFINITY : opts.discardBodiesOver;
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

  const server = createServer({ keepAliveTimeout: 65_000, noDelay: true }, onRequest);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;

  return {
    url: `http://${urlHost}:${address.port}/v1`,
    port: address.port,
    stats,
    setOptions,
    resetStats,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Hanging and queued requests would keep close() waiting forever.
        server.closeAllConnections();
      }),
  };
}

type Headers = Record<string, string | number>;

const MODELS = JSON.stringify({
  object: "list",
  data: [{ id: "fake-model", object: "model", created: 0, owned_by: "docket" }],
});
