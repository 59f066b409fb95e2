import { describe, expect, it } from "vitest";
import { errorBody, failureFromBedrockError } from "./bedrock-failures.js";

/** Shaped as the SDK's service exceptions are: a name, a message and `$metadata`. */
function serviceError(name: string, status: number, message = "m") {
  return Object.assign(new Error(message), {
    name,
    $metadata: { httpStatusCode: status, requestId: "rid-1" },
  });
}

describe("failureFromBedrockError", () => {
  it("retries by exception name or status, honouring Retry-After when a proxy sends one", () => {
    const raw = { statusCode: 429, headers: { "retry-after": "3" }, body: '{"message":"slow down"}' };
    expect(failureFromBedrockError(serviceError("ThrottlingException", 429), raw, null, 1000)).toMatchObject({
      retryable: true,
      retryAfterMs: 3000,
      code: "ThrottlingException",
      requestId: "rid-1",
      body: '{"__type":"ThrottlingException","message":"slow down"}',
    });
    // A bare 502 from a proxy: the SDK names it Unknown; its status still says retry.
    expect(failureFromBedrockError(serviceError("Unknown", 502), null, null, 1000)).toMatchObject({
      retryable: true,
      code: "http_502",
    });
    expect(
      failureFromBedrockError(serviceError("AccessDeniedException", 403, "no access"), null, null, 1000),
    ).toMatchObject({
      retryable: false,
      retryAfterMs: null,
      message: "AccessDeniedException: no access",
    });
  });

  it("tells set-up problems (not retried) from network ones (retried)", () => {
    const credentials = Object.assign(new Error("Could not load credentials from any providers"), {
      name: "CredentialsProviderError",
    });
    expect(failureFromBedrockError(credentials, null, null, 1000)).toMatchObject({
      retryable: false,
      code: "bedrock_config_error",
    });
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    expect(failureFromBedrockError(reset, null, null, 1000)).toMatchObject({
      retryable: true,
      code: "connection_error",
      message: "Could not reach Bedrock (ECONNRESET: socket hang up).",
    });
    expect(failureFromBedrockError(new Error("x"), null, "timeout", 1500)).toMatchObject({
      code: "timeout",
      message: "Bedrock did not answer within 1500 ms.",
    });
  });
});

describe("errorBody", () => {
  it("keeps the AWS error's members and adds its type", () => {
    expect(errorBody("ModelErrorException", "m", '{"message":"m","originalStatusCode":400}')).toBe(
      '{"__type":"ModelErrorException","message":"m","originalStatusCode":400}',
    );
    expect(errorBody("X", "gateway said no", "<html>")).toBe('{"__type":"X","message":"gateway said no"}');
  });
});
