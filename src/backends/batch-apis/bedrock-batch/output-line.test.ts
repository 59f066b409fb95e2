import { describe, expect, it } from "vitest";
import { resultOfOutputLine } from "./output-line.js";

describe("resultOfOutputLine", () => {
  it("hands on modelOutput's exact text with the family's token counts", () => {
    const output =
      '{"id":"msg_1","content":[{"type":"text","text":"hi"}],"usage":{"input_tokens":7,"output_tokens":2},"x":1.0}';
    const line = `{"recordId":"0000000000a","modelInput":{"messages":[]},"modelOutput":${output}}`;
    expect(resultOfOutputLine(line, "InvokeModel")).toEqual({
      key: "0000000000a",
      ok: true,
      statusCode: 200,
      body: output,
      usage: { inputTokens: 7, outputTokens: 2 },
    });
    const titan = `{ "recordId" : "3223593EFGH", "modelInput" : {"inputText": "Roses"}, "modelOutput" : {"inputTextTokenCount": 8, "results": [{"tokenCount": 3, "outputText": "blue\\n"}]}}`;
    expect(resultOfOutputLine(titan, "InvokeModel")).toMatchObject({
      ok: true,
      body: '{"inputTextTokenCount": 8, "results": [{"tokenCount": 3, "outputText": "blue\\n"}]}',
      usage: { inputTokens: 8, outputTokens: 3 },
    });
  });

  it("reads Converse usage, cache tokens included", () => {
    const line =
      '{"recordId":"00000000001","modelInput":{},"modelOutput":{"output":{},"usage":{"inputTokens":5,"outputTokens":4,"cacheReadInputTokens":2}}}';
    expect(resultOfOutputLine(line, "Converse")).toMatchObject({
      usage: { inputTokens: 7, outputTokens: 4 },
    });
  });

  it("tells retryable record errors from final ones", () => {
    const error = (code: unknown, message: string) =>
      resultOfOutputLine(
        JSON.stringify({
          recordId: "00000000001",
          modelInput: {},
          error: { errorCode: code, errorMessage: message },
        }),
        "InvokeModel",
      );
    expect(error(400, "bad request")).toEqual({
      key: "00000000001",
      ok: false,
      retryable: false,
      code: "ValidationException",
      message: "bad request",
      statusCode: 400,
      body: '{"errorCode":400,"errorMessage":"bad request"}',
    });
    expect(error(429, "Too many requests")).toMatchObject({ retryable: true, code: "ThrottlingException" });
    expect(error(408, "Model has timed out")).toMatchObject({
      retryable: true,
      code: "ModelTimeoutException",
    });
    expect(error(500, "oops")).toMatchObject({ retryable: true, statusCode: 500 });
    expect(error(424, "model error")).toMatchObject({ retryable: false });
    expect(error("ModelTimeoutException", "slow")).toMatchObject({
      retryable: true,
      code: "ModelTimeoutException",
      statusCode: null,
    });
    expect(error("ValidationException", "bad")).toMatchObject({ retryable: false });
  });

  it("is null for a line that names no record", () => {
    expect(resultOfOutputLine("not json", "InvokeModel")).toBeNull();
    expect(resultOfOutputLine('{"modelOutput":{}}', "InvokeModel")).toBeNull();
    expect(resultOfOutputLine("[1]", "InvokeModel")).toBeNull();
  });
});
