import { anthropicErrorType } from "../domain/anthropic-error-type.js";
import type { FinishedRecord } from "../domain/record.js";
import { servedMarker } from "./served-marker.js";

/**
 * One line of an Anthropic Message Batch's results file:
 * `{"custom_id", "result": {"type": "succeeded", "message"} | {"type": "errored", "error"} |
 * {"type": "canceled"} | {"type": "expired"}}`. A success splices the stored Messages response in
 * as it is (no parse/stringify round trip: big numbers and escapes come back byte for byte); a
 * route bridged from another dialect stored its answer already turned into a Message.
 */
export function anthropicResultLine(r: FinishedRecord): string {
  const customId = r.customIdJson ?? JSON.stringify(r.customId);
  return `{"custom_id":${customId},"result":${resultOf(r)}${servedMarker(r)}}\n`;
}

function resultOf(r: FinishedRecord): string {
  switch (r.state) {
    case "succeeded":
      return `{"type":"succeeded","message":${r.response ? jsonText(r.response.body) : "null"}}`;
    case "cancelled":
      return `{"type":"canceled"}`;
    case "expired":
      return `{"type":"expired"}`;
    default:
      return `{"type":"errored","error":${errorResponseOf(r)}}`;
  }
}

/**
 * The failure as Anthropic's `ErrorResponse` (`{"type":"error","error":{type, message},
 * "request_id"}`): a backend that answered in that shape (an Anthropic route) is passed through
 * as it came; any other answer or failure is described in it, its type taken from the HTTP
 * status (or from the failure's code when there was no answer).
 */
function errorResponseOf(r: FinishedRecord): string {
  const response = r.response;
  if (response) {
    const parsed = parseObject(response.body);
    if (parsed?.type === "error" && isObject(parsed.error) && typeof parsed.error.type === "string") {
      return response.body;
    }
    const message = messageIn(parsed) ?? `The model backend answered HTTP ${response.statusCode}.`;
    return envelope(anthropicErrorType(response.statusCode), message, response.requestId);
  }
  const error = r.error ?? { code: "api_error", message: "The request failed." };
  return envelope(typeForCode(error.code), error.message, null);
}

/** The body as JSON text: kept as it is when it parses, else as a string (a line never breaks). */
function jsonText(text: string): string {
  try {
    JSON.parse(text);
    return text;
  } catch {
    return JSON.stringify(text);
  }
}

function envelope(type: string, message: string, requestId: string | null): string {
  return JSON.stringify({ type: "error", error: { type, message }, request_id: requestId });
}

/** A failure without an answer: validation's own failures keep their type; others are the server's. */
function typeForCode(code: string): string {
  if (code === "invalid_request_error" || code === "unsupported_by_route") return "invalid_request_error";
  if (code === "timeout" || code === "request_timeout") return "timeout_error";
  return "api_error";
}

/** The message of an OpenAI (`{error:{message}}`) or other JSON error body, when there is one. */
function messageIn(body: Record<string, unknown> | null): string | null {
  if (!body) return null;
  const error = body.error;
  if (isObject(error) && typeof error.message === "string") return error.message;
  if (typeof error === "string") return error;
  return typeof body.message === "string" ? body.message : null;
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
