/**
 * Anthropic's error envelope and the status each error type is sent with
 * (https://docs.anthropic.com/en/api/errors): `{"type":"error","error":{"type","message"},
 * "request_id"}`. The SDK picks its error class from the status alone.
 */
export type AnthropicErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "request_too_large"
  | "rate_limit_error"
  | "api_error"
  | "overloaded_error";

export const ANTHROPIC_ERROR_STATUS: Record<AnthropicErrorType, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};

export function anthropicErrorBody(type: AnthropicErrorType, message: string, requestId: string): string {
  return JSON.stringify({ type: "error", error: { type, message }, request_id: requestId });
}
