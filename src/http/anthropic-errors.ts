import { anthropicErrorType } from "../domain/anthropic-error-type.js";
import { toErrorResponse } from "./errors.js";

/** Anthropic's error envelope (the SDK's `ErrorResponse`): `{type:"error", error:{type, message}, request_id}`. */
export interface AnthropicErrorBody {
  type: "error";
  error: { type: string; message: string };
  request_id: string | null;
}

/**
 * Whatever a handler threw, in Anthropic's shape: the same status and message as the OpenAI
 * mapping (toErrorResponse decides what a client may see), only the envelope differs, so the
 * official Anthropic SDK raises its own typed errors (NotFoundError, BadRequestError, …).
 */
export function toAnthropicErrorResponse(err: unknown): { status: number; body: AnthropicErrorBody } {
  const { status, body } = toErrorResponse(err);
  return anthropicError(status, body.error.message);
}

export function anthropicError(
  status: number,
  message: string,
): { status: number; body: AnthropicErrorBody } {
  return {
    status,
    body: { type: "error", error: { type: anthropicErrorType(status), message }, request_id: null },
  };
}

/** The paths served in Anthropic's dialect: their errors (401 and 404 included) use its shape. */
export function speaksAnthropic(path: string): boolean {
  return path === "/v1/messages/batches" || path.startsWith("/v1/messages/batches/");
}
