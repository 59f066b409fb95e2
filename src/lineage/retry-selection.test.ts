import { describe, expect, it } from "vitest";
import type { FinishedRecord } from "../domain/record.js";
import { errorCodesOf, matchRecord, parseRetrySelection } from "./retry-selection.js";

const rec = (over: Partial<FinishedRecord>): FinishedRecord => ({
  id: 1,
  position: 0,
  customId: "a",
  state: "succeeded",
  response: { statusCode: 200, requestId: null, body: '{"choices":[{"finish_reason":"stop"}]}' },
  error: null,
  ...over,
});
const failed400 = rec({
  state: "failed",
  response: {
    statusCode: 400,
    requestId: null,
    body: '{"error":{"message":"bad","type":"invalid_request_error","code":"context_length_exceeded"}}',
  },
  error: { code: "http_400", message: "bad" },
});
const expired = rec({ state: "expired", response: null, error: null });
const cancelled = rec({ state: "cancelled", response: null, error: null });
const truncated = rec({
  response: { statusCode: 200, requestId: null, body: '{"choices":[{"finish_reason":"length"}]}' },
});

describe("parseRetrySelection", () => {
  it("reads only, error_codes and ids", () => {
    const s = parseRetrySelection({ only: ["failed", "truncated"], error_codes: ["http_429"], ids: ["x"] });
    expect([...s.only]).toEqual(["failed", "truncated"]);
    expect([...s.errorCodes]).toEqual(["http_429"]);
    expect([...(s.ids ?? [])]).toEqual(["x"]);
  });

  it("refuses a retry of nothing, an unknown reason, and lists that are not strings or too long", () => {
    expect(() => parseRetrySelection({})).toThrow(/Say which records/);
    expect(() => parseRetrySelection({ only: [], ids: [] })).toThrow(/Say which records/);
    expect(() => parseRetrySelection({ only: ["broken"] })).toThrow(/"broken"/);
    expect(() => parseRetrySelection({ only: "failed" })).toThrow(/array of non-empty strings/);
    expect(() => parseRetrySelection({ ids: [1] })).toThrow(/array of non-empty strings/);
    expect(() => parseRetrySelection({ ids: Array.from({ length: 100_001 }, (_, i) => `i${i}`) })).toThrow(
      /at most 100000/,
    );
  });
});

describe("matchRecord", () => {
  it("takes records by how they ended", () => {
    const s = parseRetrySelection({ only: ["failed", "expired"] });
    expect(matchRecord(s, failed400)).toBe("failed");
    expect(matchRecord(s, expired)).toBe("expired");
    expect(matchRecord(s, cancelled)).toBeNull();
    expect(matchRecord(s, truncated)).toBeNull();
    expect(matchRecord(s, rec({}))).toBeNull();
  });

  it("takes successes cut short by their token limit only when asked", () => {
    const s = parseRetrySelection({ only: ["truncated"] });
    expect(matchRecord(s, truncated)).toBe("truncated");
    expect(matchRecord(s, rec({}))).toBeNull();
    expect(matchRecord(s, failed400)).toBeNull();
  });

  it("takes failures by any of their codes, never a success", () => {
    for (const code of ["http_400", "context_length_exceeded", "invalid_request_error"]) {
      expect(matchRecord(parseRetrySelection({ error_codes: [code] }), failed400)).toBe("error_code");
    }
    expect(matchRecord(parseRetrySelection({ error_codes: ["batch_expired"] }), expired)).toBe("error_code");
    expect(matchRecord(parseRetrySelection({ error_codes: ["http_400"] }), rec({}))).toBeNull();
  });

  it("takes named ids whatever their state", () => {
    const s = parseRetrySelection({ ids: ["a"] });
    expect(matchRecord(s, rec({}))).toBe("id");
    expect(matchRecord(s, rec({ customId: "b" }))).toBeNull();
  });
});

describe("errorCodesOf", () => {
  it("lists the stored code, the line's code and the backend envelope's code and type", () => {
    expect(errorCodesOf(failed400)).toEqual(["http_400", "context_length_exceeded", "invalid_request_error"]);
    expect(errorCodesOf(expired)).toEqual(["batch_expired"]);
    const anthropic = rec({
      state: "failed",
      response: {
        statusCode: 529,
        requestId: null,
        body: '{"type":"error","error":{"type":"overloaded_error","message":"x"}}',
      },
      error: { code: "http_529", message: "x" },
    });
    expect(errorCodesOf(anthropic)).toEqual(["http_529", "overloaded_error"]);
  });
});
