import { ANTHROPIC_ERROR_STATUS } from "../../domain/anthropic-error-type.js";

/**
 * Anthropic's error envelope and the status each error type is sent with
 * (https://docs.anthropic.com/en/api/errors): `{"type":"error","error":{"type","message"},
 * "request_id"}`. The SDK picks its error class from the status alone. The fake sends every
 * documented type but billing_error.
 */
export type AnthropicErrorType = Exclude<keyof typeof ANTHROPIC_ERROR_STATUS, "billing_error">;

export { ANTHROPIC_ERROR_STATUS };

export function anthropicErrorBody(type: AnthropicErrorType, message: string, requestId: string): string {
  return JSON.stringify({ type: "error", error: { type, message }, request_id: requestId });
}
