import { describe, expect, it } from "vitest";
import { failureFromError, failureFromStatus, providerMessage } from "./failures.js";

describe("failureFromStatus", () => {
  it("retries 408/409/429/5xx and honours Retry-After, preferring retry-after-ms", () => {
    expect(failureFromStatus(429, "{}", "req_1", "3", null)).toMatchObject({
      retryable: true,
      retryAfterMs: 3000,
      code: "http_429",
      requestId: "req_1",
    });
    expect(failureFromStatus(429, "{}", null, "3", "250").retryAfterMs).toBe(250);
    expect(failureFromStatus(503, "", null, null, null)).toMatchObject({
      retryable: true,
      retryAfterMs: null,
    });
    expect(failureFromStatus(408, "", null, null, null).retryable).toBe(true);
    expect(failureFromStatus(409, "", null, null, null).retryable).toBe(true);
  });

  it("does not retry other 4xx, and ignores their Retry-After", () => {
    const failure = failureFromStatus(400, '{"error":{"message":"bad"}}', null, "5", null);
    expect(failure).toMatchObject({
      retryable: false,
      retryAfterMs: null,
      statusCode: 400,
      code: "http_400",
    });
    expect(failure.body).toBe('{"error":{"message":"bad"}}');
    expect(failureFromStatus(404, "", null, null, null).retryable).toBe(false);
  });

  it("falls back to a quoted body when it is not an error object", () => {
    expect(failureFromStatus(502, "<html>Bad Gateway</html>", null, null, null).message).toBe(
      "The backend answered HTTP 502: <html>Bad Gateway</html>",
    );
    expect(failureFromStatus(500, "  ", null, null, null).message).toMatch(/empty body/);
    expect(failureFromStatus(500, "x".repeat(1000), null, null, null).message.length).toBeLessThan(400);
  });
});

describe("providerMessage", () => {
  it("reads OpenAI, vLLM/FastAPI and plain-string error shapes", () => {
    expect(providerMessage('{"error":{"message":"m1","type":"t"}}')).toBe("m1");
    expect(providerMessage('{"object":"error","message":"m2"}')).toBe("m2");
    expect(providerMessage('{"detail":"m3"}')).toBe("m3");
    expect(providerMessage('{"error":"m4"}')).toBe("m4");
    expect(providerMessage(' {"type":"error","error":{"type":"overloaded_error","message":"m5"}}')).toBe(
      "m5",
    );
    expect(providerMessage('{"other":1}')).toBeNull();
    expect(providerMessage("{broken")).toBeNull();
  });
});

describe("failureFromError", () => {
  it("names timeouts and aborts decided by the caller", () => {
    expect(failureFromError(new Error("x"), "timeout", 1500)).toMatchObject({
      retryable: true,
      code: "timeout",
      statusCode: null,
      message: "The backend did not answer within 1500 ms.",
    });
    expect(failureFromError(new Error("x"), "aborted", 1)).toMatchObject({
      retryable: true,
      code: "aborted",
    });
  });

  it("retries connection errors, finding the code on the cause", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
    expect(failureFromError(refused, null, 1)).toMatchObject({ retryable: true, code: "connection_error" });
    const wrapped = Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET", cause: refused });
    expect(failureFromError(wrapped, null, 1).message).toMatch(/ECONNREFUSED/);
    const socket = Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" });
    expect(failureFromError(socket, null, 1)).toMatchObject({ retryable: true, code: "connection_error" });
    const headers = Object.assign(new Error("Headers Timeout Error"), { code: "UND_ERR_HEADERS_TIMEOUT" });
    expect(failureFromError(headers, null, 1)).toMatchObject({ retryable: true, code: "timeout" });
  });

  it("does not retry a request undici refuses to send", () => {
    const invalid = Object.assign(new Error("invalid header"), { code: "UND_ERR_INVALID_ARG" });
    expect(failureFromError(invalid, null, 1)).toMatchObject({ retryable: false, code: "request_error" });
  });
});
