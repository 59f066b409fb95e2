import type { Readable } from "node:stream";
import { request } from "undici";
import { httpAgent } from "../../../http-client/http-agent.js";
import { BatchApiError, isRetryableStatus } from "./batch-api-error.js";

/** Control calls are small; a provider that has not answered in this long is treated as down. */
const CALL_TIMEOUT_MS = 120_000;
/** Error bodies are read for their message only, never more than this. */
const MAX_ERROR_BODY = 64 * 1024;
/** A JSON answer to a control call (a batch, a page of batches, a file) is never near this. */
const MAX_JSON_BODY = 16 * 1024 * 1024;

export interface BatchHttpCall {
  method: "GET" | "POST" | "DELETE";
  url: string;
  headers: Record<string, string>;
  body?: string | AsyncIterable<Buffer | string>;
  /** Uploads of hundreds of MB take longer than a control call. */
  timeoutMs?: number;
}

/** Calls a provider's control API and parses its JSON answer; a non-2xx answer throws BatchApiError. */
export async function callJson<T>(call: BatchHttpCall): Promise<T> {
  const res = await send(call);
  const text = await readText(res.body, MAX_JSON_BODY, call.url, false);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new BatchApiError(
      `${call.method} ${call.url} answered a body that is not JSON.`,
      200,
      "bad_response",
      true,
    );
  }
}

/** Calls and returns the streamed body (a results or output file); a non-2xx answer throws BatchApiError. */
export async function callStream(call: BatchHttpCall): Promise<Readable> {
  return (await send(call)).body;
}

async function send(call: BatchHttpCall): Promise<{ body: Readable & { text(): Promise<string> } }> {
  const timeout = call.timeoutMs ?? CALL_TIMEOUT_MS;
  let res: Awaited<ReturnType<typeof request>>;
  try {
    res = await request(call.url, {
      method: call.method,
      headers: call.headers,
      body: call.body as string | undefined,
      dispatcher: httpAgent,
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
  } catch (err) {
    throw new BatchApiError(
      `${call.method} ${call.url} failed: ${(err as Error).message}`,
      null,
      "network_error",
      true,
    );
  }
  if (res.statusCode >= 200 && res.statusCode < 300) return res;
  const text = await readText(res.body, MAX_ERROR_BODY, call.url, true).catch(() => "");
  throw new BatchApiError(
    `${call.method} ${call.url} answered ${res.statusCode}: ${errorMessage(text)}`,
    res.statusCode,
    errorCode(text) ?? `http_${res.statusCode}`,
    isRetryableStatus(res.statusCode),
    retryAfterMs(res.headers["retry-after"]),
  );
}

/** The body as text; past `maxBytes` it is cut there (`truncate`, for error messages) or refused. */
async function readText(body: Readable, maxBytes: number, url: string, truncate: boolean): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > maxBytes) {
      body.destroy();
      if (truncate) break;
      throw new BatchApiError(`${url} answered more than ${maxBytes} bytes.`, 200, "bad_response", false);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** OpenAI's `{"error":{"message","code"}}` and Anthropic's `{"error":{"type","message"}}` alike. */
function errorMessage(text: string): string {
  const error = parsedError(text);
  return typeof error?.message === "string" ? error.message : text.slice(0, 500);
}

function errorCode(text: string): string | null {
  const error = parsedError(text);
  const code = error?.code ?? error?.type;
  return typeof code === "string" ? code : null;
}

function parsedError(text: string): Record<string, unknown> | null {
  try {
    const body = JSON.parse(text) as { error?: unknown };
    return typeof body.error === "object" && body.error !== null
      ? (body.error as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function retryAfterMs(header: string | string[] | undefined): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  const seconds = value === undefined ? Number.NaN : Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : null;
}
