import type { IncomingHttpHeaders } from "node:http";
import type { BackendResult } from "../backend.js";
import { extractUsage } from "../usage.js";
import { failureFromStatus } from "./failures.js";

/**
 * A response read to its end, as a result: 2xx is a success with its usage, anything else a
 * failure classified by status and `Retry-After`. Shared by the buffered and streamed sends.
 */
export function resultFromResponse(
  status: number,
  body: string,
  headers: IncomingHttpHeaders,
): BackendResult {
  // OpenAI and most compatible servers send `x-request-id`; Anthropic sends `request-id`.
  const requestId = header(headers, "x-request-id") ?? header(headers, "request-id");
  if (status >= 200 && status < 300) {
    return { ok: true, statusCode: status, requestId, body, usage: extractUsage(body) };
  }
  return failureFromStatus(
    status,
    body,
    requestId,
    header(headers, "retry-after"),
    header(headers, "retry-after-ms"),
  );
}

function header(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name];
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}
