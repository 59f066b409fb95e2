import { describe, expect, it } from "vitest";
import type { BatchApiResult } from "../backends/batch-apis/batch-api-client.js";
import { decodeResultBatch, encodeResultBatch } from "./encoded-results.js";
import type { ResultBatch } from "./result-batches.js";

describe("encoded result batches", () => {
  it("hand over every field of every kind of result unchanged", () => {
    const results: BatchApiResult[] = [
      {
        key: "docket-1",
        ok: true,
        statusCode: 200,
        body: '{"a": 1.0, "é": "😀\\u0000"}',
        usage: { inputTokens: 7, outputTokens: 0 },
      },
      { key: "docket-2", ok: true, statusCode: 200, body: "", usage: null },
      {
        key: "x",
        ok: false,
        retryable: true,
        code: "overloaded_error",
        message: "Overloaded",
        statusCode: 529,
        body: '{"type":"error"}',
      },
      { key: "", ok: false, retryable: false, code: "", message: "", statusCode: null, body: null },
      {
        key: "k😀",
        ok: false,
        retryable: false,
        code: "invalid_request",
        message: "bad\nline",
        statusCode: 400,
        body: null,
      },
    ];
    const batch: ResultBatch = { results, recordIds: [1, 2, null, 0, 9_007_199_254_740_991] };
    const encoded = encodeResultBatch(batch);
    // Moved to the other thread as a clone would be: a copy of the text, the numbers' buffer.
    const received = structuredClone(encoded, { transfer: [encoded.meta.buffer as ArrayBuffer] });
    expect(decodeResultBatch(received)).toEqual(batch);
  });

  it("hands over an empty batch", () => {
    expect(decodeResultBatch(encodeResultBatch({ results: [], recordIds: [] }))).toEqual({
      results: [],
      recordIds: [],
    });
  });

  it("refuses a text that does not match its lengths", () => {
    const encoded = encodeResultBatch({
      results: [{ key: "a", ok: true, statusCode: 200, body: "{}", usage: null }],
      recordIds: [1],
    });
    expect(() => decodeResultBatch({ ...encoded, text: `${encoded.text}?` })).toThrow(/left over/);
  });
});
