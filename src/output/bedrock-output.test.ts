import { describe, expect, it } from "vitest";
import type { FinishedRecord } from "../domain/record.js";
import { bedrockManifest } from "./bedrock-manifest.js";
import { bedrockError, bedrockLineAround } from "./bedrock-output.js";

const record = (over: Partial<FinishedRecord>): FinishedRecord => ({
  id: 1,
  position: 0,
  customId: "CALL0000001",
  state: "succeeded",
  response: null,
  error: null,
  ...over,
});
const INPUT = '{"anthropic_version":"bedrock-2023-05-31","max_tokens":9,"n":1.0}';
/** The whole `.out` line, parsed the way a reader of Bedrock's output would. */
const lineOf = (r: FinishedRecord, input = INPUT) => {
  const [head, tail] = bedrockLineAround(r);
  return { text: head + input + tail, parsed: JSON.parse(head + input + tail) as Record<string, unknown> };
};

describe("bedrock .out lines", () => {
  it("splices the stored input and answer in as text: recordId, modelInput, modelOutput", () => {
    const answer =
      '{"id":"msg_1","content":[{"type":"text","text":"ok"}],"usage":{"input_tokens":12345678901234567891}}';
    const { text, parsed } = lineOf(record({ response: { statusCode: 200, requestId: "r", body: answer } }));
    expect(text).toBe(`{"recordId":"CALL0000001","modelInput":${INPUT},"modelOutput":${answer}}\n`);
    expect(Object.keys(parsed)).toEqual(["recordId", "modelInput", "modelOutput"]);
  });

  it("echoes a recordId's kept literal byte for byte", () => {
    const { text } = lineOf(
      record({
        customId: "Ab",
        customIdJson: '"\\u0041b"',
        response: { statusCode: 200, requestId: null, body: "{}" },
      }),
    );
    expect(text.startsWith('{"recordId":"\\u0041b",')).toBe(true);
  });

  it("writes a failure as error {errorCode (a number), errorMessage} in place of modelOutput", () => {
    const { parsed } = lineOf(
      record({
        state: "failed",
        response: {
          statusCode: 400,
          requestId: "r",
          body: '{"__type":"ValidationException","message":"Malformed input request"}',
        },
        error: { code: "ValidationException", message: "ValidationException: Malformed input request" },
      }),
    );
    expect(parsed).toEqual({
      recordId: "CALL0000001",
      modelInput: JSON.parse(INPUT),
      error: { errorCode: 400, errorMessage: "ValidationException: Malformed input request" },
    });
  });

  it("gives a numeric code to every way a record can end without an answer", () => {
    const cases: Array<[Partial<FinishedRecord>, number, RegExp]> = [
      [
        { state: "failed", error: { code: "timeout", message: "no answer in 30 s" } },
        408,
        /^timeout: no answer/,
      ],
      [
        { state: "failed", error: { code: "connection_error", message: "refused" } },
        500,
        /^connection_error: refused/,
      ],
      [
        { state: "failed", error: { code: "attempts_exhausted", message: "12 attempts" } },
        500,
        /attempts_exhausted/,
      ],
      [
        { state: "failed", error: { code: "unsupported_by_route", message: "x" } },
        400,
        /unsupported_by_route/,
      ],
      [{ state: "expired", error: null }, 408, /completion window/],
      [{ state: "cancelled", error: null }, 499, /stopped before/],
      [
        { state: "cancelled", error: { code: "budget_exceeded", message: "budget of $5 spent" } },
        499,
        /budget of \$5/,
      ],
      [
        { state: "failed", response: { statusCode: 503, requestId: null, body: "Service Unavailable" } },
        503,
        /Service Unavailable/,
      ],
      [
        {
          state: "failed",
          response: { statusCode: 429, requestId: null, body: '{"error":{"message":"slow down"}}' },
        },
        429,
        /^slow down$/,
      ],
    ];
    for (const [over, code, message] of cases) {
      const e = bedrockError(record(over));
      expect(e.errorCode, JSON.stringify(over)).toBe(code);
      expect(e.errorMessage, JSON.stringify(over)).toMatch(message);
    }
  });

  it("keeps a non-JSON answer as a string so the line stays one JSON object", () => {
    const { parsed } = lineOf(
      record({ response: { statusCode: 200, requestId: null, body: "plain {text" } }),
    );
    expect(parsed.modelOutput).toBe("plain {text");
  });
});

describe("bedrockManifest", () => {
  it("counts processed as succeeded + failed, and carries the job's tokens", () => {
    expect(
      bedrockManifest({
        counts: { total: 10, completed: 6, failed: 2 },
        tally: { succeeded: 6, failed: 2, cancelled: 1, expired: 1 },
        usage: { inputTokens: 600, outputTokens: 120 },
      }),
    ).toEqual({
      totalRecordCount: 10,
      processedRecordCount: 8,
      successRecordCount: 6,
      errorRecordCount: 2,
      inputTokenCount: 600,
      outputTokenCount: 120,
    });
  });
});
