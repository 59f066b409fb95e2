import { describe, expect, it } from "vitest";
import { anthropicErrorType } from "../domain/anthropic-error-type.js";
import { DocketError } from "../domain/errors.js";
import { speaksAnthropic, toAnthropicErrorResponse } from "./anthropic-errors.js";

describe("toAnthropicErrorResponse", () => {
  it("keeps the status and message, in Anthropic's envelope typed by status", () => {
    expect(
      toAnthropicErrorResponse(new DocketError("not_found", "No message batch found with id 'x'.", 404)),
    ).toEqual({
      status: 404,
      body: {
        type: "error",
        error: { type: "not_found_error", message: "No message batch found with id 'x'." },
        request_id: null,
      },
    });
  });

  it("hides what a bug says, as the OpenAI mapping does", () => {
    const { status, body } = toAnthropicErrorResponse(new Error("secret internals"));
    expect(status).toBe(500);
    expect(body.error.type).toBe("api_error");
    expect(body.error.message).not.toContain("secret");
  });

  it.each([
    [400, "invalid_request_error"],
    [401, "authentication_error"],
    [403, "permission_error"],
    [404, "not_found_error"],
    [405, "invalid_request_error"],
    [413, "request_too_large"],
    [429, "rate_limit_error"],
    [500, "api_error"],
    [529, "overloaded_error"],
  ])("HTTP %i is %s", (status, type) => {
    expect(anthropicErrorType(status)).toBe(type);
  });

  it("covers the Message Batches paths only", () => {
    expect(speaksAnthropic("/v1/messages/batches")).toBe(true);
    expect(speaksAnthropic("/v1/messages/batches/msgbatch_1/results")).toBe(true);
    expect(speaksAnthropic("/v1/messages/batchesX")).toBe(false);
    expect(speaksAnthropic("/v1/batches")).toBe(false);
  });
});
