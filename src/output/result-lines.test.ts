import { describe, expect, it } from "vitest";
import type { FinishedRecord } from "../domain/record.js";
import { outputLine } from "./result-lines.js";

const rec = (over: Partial<FinishedRecord>): FinishedRecord => ({
  id: 5,
  position: 0,
  customId: "c-1",
  state: "succeeded",
  response: { statusCode: 200, requestId: "req_1", body: '{"a":1}' },
  error: null,
  ...over,
});

describe("outputLine", () => {
  it("writes a success in OpenAI's output shape with the body as JSON", () => {
    expect(JSON.parse(outputLine(rec({})))).toEqual({
      id: "batch_req_5",
      custom_id: "c-1",
      response: { status_code: 200, request_id: "req_1", body: { a: 1 } },
      error: null,
    });
  });

  it("keeps an HTTP failure's response and leaves error null", () => {
    const line = outputLine(
      rec({
        state: "failed",
        response: { statusCode: 400, requestId: null, body: '{"error":{"message":"bad"}}' },
        error: { code: "http_400", message: "bad" },
      }),
    );
    expect(JSON.parse(line)).toMatchObject({
      response: { status_code: 400, body: { error: { message: "bad" } } },
      error: null,
    });
  });

  it("reports a failure without an answer, an expiry and a cancel as errors", () => {
    expect(
      JSON.parse(
        outputLine(rec({ state: "failed", response: null, error: { code: "timeout", message: "t" } })),
      ),
    ).toMatchObject({
      response: null,
      error: { code: "timeout" },
    });
    expect(JSON.parse(outputLine(rec({ state: "expired", response: null, error: null }))).error.code).toBe(
      "batch_expired",
    );
    expect(JSON.parse(outputLine(rec({ state: "cancelled", response: null }))).error.code).toBe(
      "batch_cancelled",
    );
  });

  it("echoes the custom_id's literal as written when it was kept", () => {
    const line = outputLine(rec({ customId: "\ufffd", customIdJson: '"\\ud800"' }));
    expect(line).toContain('"custom_id":"\\ud800"');
    expect(JSON.parse(line).custom_id).toBe("\ud800");
    expect(outputLine(rec({ customId: "é", customIdJson: '"\\u00e9"' }))).toContain('"custom_id":"\\u00e9"');
    expect(outputLine(rec({ customId: "é" }))).toContain('"custom_id":"é"');
  });

  it("keeps a non-JSON body as a string", () => {
    expect(
      JSON.parse(
        outputLine(
          rec({ response: { statusCode: 502, requestId: null, body: "<html>bad gateway" }, state: "failed" }),
        ),
      ).response.body,
    ).toBe("<html>bad gateway");
  });
});
