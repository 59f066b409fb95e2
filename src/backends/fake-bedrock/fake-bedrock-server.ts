import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { parseBedrockEndpoint } from "../bedrock/bedrock-endpoint.js";
import { applyControl } from "../fake/fake-control.js";
import { readBoundedBody, requestPath } from "../fake/fake-listen.js";
import { FakeServerState } from "../fake/fake-server-state.js";
import type { FakeStats } from "../fake/fake-stats.js";
import {
  type AwsError,
  awsError,
  awsErrorBody,
  awsErrorHeaders,
  isAwsError,
  validationError,
} from "./aws-error.js";
import { readObject } from "./body-checks.js";
import { readConverse } from "./converse-body.js";
import {
  FAKE_BEDROCK_DEFAULTS,
  type FakeBedrockOptions,
  mergeFakeBedrockOptions,
} from "./fake-bedrock-options.js";
import { tokenCost } from "./fake-bedrock-text.js";
import { listenHttp1AndH2c } from "./http1-and-h2c.js";
import { type InvokeCall, readInvoke } from "./invoke-bodies.js";
import { modelFamily } from "./model-family.js";
import { checkSigV4 } from "./sigv4-header.js";

export interface StartFakeBedrockOptions extends FakeBedrockOptions {
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** Defaults to 0: any free port. */
  port?: number;
}

/** The same shape as the OpenAI fake's handle (src/backends/fake/fake-backend-server.ts). */
export interface FakeBedrock {
  /** The endpoint override for a Bedrock Runtime client: `http://127.0.0.1:PORT`. */
  url: string;
  port: number;
  stats(): FakeStats;
  /** Changes behaviour while running (also reachable as `POST /control`). */
  setOptions(partial: FakeBedrockOptions): void;
  resetStats(): void;
  close(): Promise<void>;
}

/** Bodies beyond this are refused as Bedrock refuses oversized input (its limit is 25 MB). */
const MAX_BODY_BYTES = 25 * 1024 * 1024;

/**
 * A fake Amazon Bedrock Runtime on HTTP/1.1 (what Docket's Bedrock backend speaks:
 * docs/providers.md) and cleartext HTTP/2 (the SDK's default) on one port:
 * `POST /model/{modelId}/invoke` with the native bodies of Claude, Llama,
 * Titan Text and Nova, and `POST /model/{modelId}/converse`. Requests must be SigV4-signed for
 * service `bedrock` (the signature is not verified); errors are AWS's (`x-amzn-ErrorType`,
 * `{"message"}`); the failure knobs, capacity queue, rate window and stats are the OpenAI fake's.
 */
export async function startFakeBedrock(options: StartFakeBedrockOptions = {}): Promise<FakeBedrock> {
  const { host = "127.0.0.1", port = 0, ...behaviour } = options;
  const state = new FakeServerState(mergeFakeBedrockOptions(FAKE_BEDROCK_DEFAULTS, behaviour));
  const { limit, counters } = state;

  function setOptions(partial: unknown): void {
    state.update(mergeFakeBedrockOptions(state.opts, partial));
  }

  function send(res: ServerResponse, status: number, body: string, extra?: Record<string, string>): void {
    res.writeHead(status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      "x-amzn-requestid": randomUUID(),
      ...extra,
    });
    res.end(body);
  }

  function sendError(res: ServerResponse, error: AwsError): void {
    send(res, error.status, awsErrorBody(error), awsErrorHeaders(error));
  }

  function handleApi(req: IncomingMessage, path: string, body: string, res: ServerResponse): void {
    const opts = state.opts;
    const exchange = state.open(path, body);
    const reply = (status: number, text: string, extra?: Record<string, string>) => {
      exchange.answered(status, text);
      send(res, status, text, extra);
    };
    const fail = (error: AwsError) => reply(error.status, awsErrorBody(error), awsErrorHeaders(error));

    const signed = checkSigV4(req.headers);
    if (isAwsError(signed)) {
      fail(signed);
      return;
    }
    const target = parseBedrockEndpoint(path);
    if (target === null) {
      fail(awsError(404, "UnknownOperationException", `Unknown operation ${path}.`));
      return;
    }
    if (opts.fail400Marker !== null && body.includes(opts.fail400Marker)) {
      counters.countMarker(opts.fail400Marker);
      fail(validationError(`The request contains the failure marker '${opts.fail400Marker}'.`));
      return;
    }
    const family = modelFamily(target.modelId);
    if (isAwsError(family)) {
      fail(family);
      return;
    }
    const fields = readObject(body);
    if (isAwsError(fields)) {
      fail(fields);
      return;
    }
    const call: InvokeCall | AwsError =
      target.operation === "invoke"
        ? readInvoke(family, target.modelId, fields)
        : readConverse(target.modelId, fields);
    if (isAwsError(call)) {
      fail(call);
      return;
    }

    if (limit.active) {
      const decision = limit.admit(tokenCost(call.prompt, opts.outputTokens), Date.now());
      if (!decision.ok) {
        fail(awsError(429, "ThrottlingException", decision.message));
        return;
      }
    }
    const startedAt = Date.now();
    state.drawThenServe(
      res,
      [
        [
          opts.rate429,
          () =>
            fail(awsError(429, "ThrottlingException", "Too many requests, please wait before trying again.")),
        ],
        [
          opts.rate500,
          () =>
            fail(
              awsError(
                500,
                "InternalServerException",
                "The server encountered an internal error while processing the request.",
              ),
            ),
        ],
        [
          opts.rate503,
          () =>
            fail(awsError(503, "ServiceUnavailableException", "Bedrock is unable to process your request.")),
        ],
        [
          opts.rateModelNotReady,
          () =>
            fail(
              awsError(
                429,
                "ModelNotReadyException",
                "Model is not ready for inference. Wait and try your request again.",
              ),
            ),
        ],
      ],
      () => state.opts.latencyMs + state.opts.outputTokens * state.opts.latencyPerOutputTokenMs,
      () => {
        const answer = call.answer(state.opts.outputTokens, exchange.suffix);
        const headers: Record<string, string> = {
          "x-amzn-bedrock-invocation-latency": String(Date.now() - startedAt),
        };
        if (target.operation === "invoke") {
          headers["x-amzn-bedrock-input-token-count"] = String(answer.inputTokens);
          headers["x-amzn-bedrock-output-token-count"] = String(answer.outputTokens);
        }
        reply(200, answer.body, headers);
      },
    );
  }

  function handleControl(body: string, res: ServerResponse): void {
    const problem = applyControl(body, setOptions, () => state.resetStats());
    if (problem === null) send(res, 200, JSON.stringify(state.opts));
    else sendError(res, validationError(problem));
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const path = requestPath(req);
    if (req.method === "GET" && path === "/stats") {
      req.resume();
      send(res, 200, JSON.stringify(state.stats()));
      return;
    }
    const isApi = path.startsWith("/model/");
    if (req.method !== "POST" || (!isApi && path !== "/control")) {
      req.resume();
      sendError(res, awsError(404, "UnknownOperationException", `Unknown operation ${req.method} ${path}.`));
      return;
    }
    if (isApi && state.opts.recordArrivals)
      counters.arrivals.push(performance.timeOrigin + performance.now());
    readBoundedBody(req, MAX_BODY_BYTES, (body, length) => {
      if (body === null) {
        // Counted as an API answer, though too large to be recorded or searched for markers.
        if (isApi) {
          counters.requests++;
          counters.byStatus[400] = (counters.byStatus[400] ?? 0) + 1;
        }
        sendError(
          res,
          validationError(`Input is too long: the body is ${length} bytes, over ${MAX_BODY_BYTES}.`),
        );
      } else if (isApi) handleApi(req, path, body, res);
      else handleControl(body, res);
    });
  }

  const server = await listenHttp1AndH2c(host, port, onRequest);
  return {
    url: server.origin,
    port: server.port,
    stats: () => state.stats(),
    setOptions,
    resetStats: () => state.resetStats(),
    close: server.close,
  };
}
