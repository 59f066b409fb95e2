import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { BedrockRuntimeClient, ConverseCommand, InvokeModelCommand } from "@aws-sdk/client-bedrock-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { type Backend, type BackendRequest, type BackendResult, unansweredFailure } from "../backend.js";
import { parseBedrockEndpoint } from "./bedrock-endpoint.js";
import { type EndReason, failureFromBedrockError } from "./bedrock-failures.js";
import { converseUsage, invokeUsage } from "./bedrock-usage.js";
import { captureRawExchange, type RawExchange } from "./raw-exchange.js";

export interface BedrockBackendOptions {
  /** AWS region; absent: the SDK's chain (AWS_REGION, the shared config file…). */
  region?: string;
  /** Endpoint override (a fake, a VPC interface endpoint); absent: the region's public one. */
  endpoint?: string;
  /** Static credentials; absent: the AWS default credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** A fixed model id (or ARN) for every request on this route, instead of the one in the path. */
  modelId?: string;
  /** Requests in flight at once: the keep-alive connections each agent may open. */
  concurrency: number;
  /** Whole-call deadline, from send() to the last byte of the answer. */
  timeoutMs: number;
}

/** A reachable endpoint answers a SYN in milliseconds; this is a dead or black-holed one. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Amazon Bedrock Runtime through the official SDK (SigV4 signing, credentials, regions,
 * endpoints and AWS's error types come from it). `InvokeModel` gets the model's native body and
 * `Converse` its wire JSON, both sent byte-exact; the answer is Bedrock's own bytes.
 *
 * HTTP/1.1 rather than the SDK's default HTTP/2 for this client (docs/providers.md): one
 * keep-alive connection per request in flight, as every other Docket backend, so a connection
 * that stalls or is reset takes one request with it rather than every stream multiplexed on it,
 * and the route's concurrency is the connection count. The SDK's own retries are off: the
 * worker retries with its backoff, budget and attempt counting.
 */
export class BedrockBackend implements Backend {
  private readonly client: BedrockRuntimeClient;
  private readonly modelId: string | undefined;
  private readonly timeoutMs: number;

  constructor(options: BedrockBackendOptions) {
    this.modelId = options.modelId;
    this.timeoutMs = options.timeoutMs;
    const sockets = { keepAlive: true, maxSockets: Math.max(1, options.concurrency) };
    this.client = new BedrockRuntimeClient({
      ...(options.region ? { region: options.region } : {}),
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler({
        httpAgent: new HttpAgent(sockets),
        httpsAgent: new HttpsAgent(sockets),
        connectionTimeout: CONNECT_TIMEOUT_MS,
      }),
    });
  }

  async send(request: BackendRequest): Promise<BackendResult> {
    const target = parseBedrockEndpoint(request.endpoint);
    if (target === null) {
      return unansweredFailure(
        "unsupported_endpoint",
        `A Bedrock route serves /model/{modelId}/invoke and /model/{modelId}/converse, not ${request.endpoint}.`,
        false,
      );
    }
    const modelId = this.modelId ?? target.modelId;
    const timeoutMs = request.timeoutMs ?? this.timeoutMs;
    const caller = request.signal;
    if (caller?.aborted) return failureFromBedrockError(caller.reason, null, "aborted", timeoutMs);

    const exchange: RawExchange = { body: request.body, headers: request.headers, answer: null };
    // Each command's body is replaced by the user's bytes below the serializer (raw-exchange.ts).
    const invoke =
      target.operation === "invoke"
        ? new InvokeModelCommand({
            modelId,
            body: new Uint8Array(0),
            contentType: "application/json",
            accept: "application/json",
          })
        : null;
    const converse = invoke === null ? new ConverseCommand({ modelId }) : null;
    captureRawExchange((invoke ?? converse)!, exchange);

    const controller = new AbortController();
    let reason: EndReason = null;
    const timer = setTimeout(() => {
      reason = "timeout";
      controller.abort();
    }, timeoutMs);
    const onAbort = () => {
      reason ??= "aborted";
      controller.abort();
    };
    caller?.addEventListener("abort", onAbort, { once: true });
    try {
      const options = { abortSignal: controller.signal };
      const output: { $metadata: { requestId?: string }; usage?: unknown } = invoke
        ? await this.client.send(invoke, options)
        : await this.client.send(converse!, options);
      const answer = exchange.answer;
      const body = answer?.body ?? "";
      return {
        ok: true,
        statusCode: answer?.statusCode ?? 200,
        requestId: output.$metadata.requestId ?? null,
        body,
        usage:
          target.operation === "invoke"
            ? invokeUsage(answer?.headers ?? {}, body)
            : converseUsage(output.usage),
      };
    } catch (error) {
      return failureFromBedrockError(error, exchange.answer, reason, timeoutMs);
    } finally {
      clearTimeout(timer);
      caller?.removeEventListener("abort", onAbort);
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
