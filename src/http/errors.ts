import { BlobTooLargeError } from "../blobs/blob-store.js";
import { DocketError } from "../domain/errors.js";

/** OpenAI's error envelope; the official SDKs read `error.message`, `type`, `param` and `code`. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export interface ErrorResponse {
  status: number;
  body: OpenAiErrorBody;
}

/**
 * Maps anything thrown by a handler to a status and OpenAI's error shape. DocketErrors keep
 * their status, code and param; anything else is a bug and becomes a 500 whose message says
 * nothing about the internals (the caller logs the real error).
 */
export function toErrorResponse(err: unknown): ErrorResponse {
  if (err instanceof DocketError) {
    return {
      status: err.httpStatus,
      body: envelope(err.message, typeFor(err.httpStatus), err.param, err.code),
    };
  }
  if (err instanceof BlobTooLargeError) {
    return {
      status: 413,
      body: envelope(
        `The payload exceeds the maximum allowed size of ${err.maxBytes} bytes (server.maxUploadBytes).`,
        "invalid_request_error",
        null,
        "payload_too_large",
      ),
    };
  }
  return {
    status: 500,
    body: envelope(
      "The server had an error while processing your request.",
      "server_error",
      null,
      "internal_error",
    ),
  };
}

function envelope(message: string, type: string, param: string | null, code: string | null): OpenAiErrorBody {
  return { error: { message, type, param, code } };
}

/** OpenAI reports every client error as `invalid_request_error`, except authentication. */
function typeFor(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 429) return "rate_limit_error";
  return status >= 500 ? "server_error" : "invalid_request_error";
}
