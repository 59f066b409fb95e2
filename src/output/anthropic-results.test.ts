import { describe, expect, it } from "vitest";
import type { FinishedRecord } from "../domain/record.js";
import { anthropicResultLine } from "./anthropic-results.js";

const base: FinishedRecord = {
  id: 1,
  position: 0,
  customId: "req-1",
  state: "succeeded",
  response: null,
  error: null,
};
const line = (r: Partial<FinishedRecord>) => anthropicResultLine({ ...base, ...r });

describe("anthropicResultLine", () => {
  it("splices a success's Message in byte for byte", () => {
    const body = '{"id":"msg_1","type":"message","usage":{"input_tokens":12345678901234567890},"x":1.0}';
    const text = line({ response: { statusCode: 200, requestId: "req_a", body } });
    expect(text).toBe(`{"custom_id":"req-1","result":{"type":"succeeded","message":${body}}}\n`);
  });

  it("passes an Anthropic-shaped error answer through as the errored result's error", () => {
    const body =
      '{"type":"error","error":{"type":"invalid_request_error","message":"messages: bad role"},"request_id":"r1"}';
    const text = line({
      state: "failed",
      response: { statusCode: 400, requestId: "r1", body },
      error: { code: "http_400", message: "x" },
    });
    expect(text).toBe(`{"custom_id":"req-1","result":{"type":"errored","error":${body}}}\n`);
  });

  it("describes another backend's error answer in Anthropic's shape, typed by status", () => {
    const body = '{"error":{"message":"model overloaded","type":"server_error"}}';
    const parsed = JSON.parse(line({ state: "failed", response: { statusCode: 503, requestId: "q", body } }));
    expect(parsed.result).toEqual({
      type: "errored",
      error: { type: "error", error: { type: "api_error", message: "model overloaded" }, request_id: "q" },
    });
    const notJson = JSON.parse(
      line({ state: "failed", response: { statusCode: 429, requestId: null, body: "slow" } }),
    );
    expect(notJson.result.error.error).toEqual({
      type: "rate_limit_error",
      message: "The model backend answered HTTP 429.",
    });
  });

  it("keeps validation's invalid_request_error, and calls other unanswered failures api_error", () => {
    const invalid = JSON.parse(
      line({
        state: "failed",
        error: { code: "invalid_request_error", message: "params.max_tokens: Field required." },
      }),
    );
    expect(invalid.result.error.error).toEqual({
      type: "invalid_request_error",
      message: "params.max_tokens: Field required.",
    });
    const exhausted = JSON.parse(
      line({ state: "failed", error: { code: "attempts_exhausted", message: "gave up" } }),
    );
    expect(exhausted.result.error.error).toEqual({ type: "api_error", message: "gave up" });
  });

  it("writes canceled and expired records as their bare result types", () => {
    expect(line({ state: "cancelled" })).toBe('{"custom_id":"req-1","result":{"type":"canceled"}}\n');
    expect(line({ state: "cancelled", error: { code: "budget_exceeded", message: "over" } })).toBe(
      '{"custom_id":"req-1","result":{"type":"canceled"}}\n',
    );
    expect(line({ state: "expired" })).toBe('{"custom_id":"req-1","result":{"type":"expired"}}\n');
  });

  it("never breaks a line: a success body that is not JSON is kept as a string", () => {
    const text = line({ response: { statusCode: 200, requestId: null, body: "half {" } });
    expect(JSON.parse(text).result.message).toBe("half {");
  });
});
