import { describe, expect, it } from "vitest";
import { converseUsage, invokeUsage } from "./bedrock-usage.js";

describe("invokeUsage", () => {
  it("prefers Bedrock's token-count headers", () => {
    const headers = { "x-amzn-bedrock-input-token-count": "12", "x-amzn-bedrock-output-token-count": "7" };
    expect(invokeUsage(headers, '{"usage":{"input_tokens":1,"output_tokens":1}}')).toEqual({
      inputTokens: 12,
      outputTokens: 7,
    });
  });

  it("falls back to each model family's own body fields", () => {
    expect(invokeUsage({}, '{"content":[],"usage":{"input_tokens":5,"output_tokens":3}}')).toEqual({
      inputTokens: 5,
      outputTokens: 3,
    });
    expect(
      invokeUsage({}, '{"output":{},"usage":{"inputTokens":4,"outputTokens":2,"totalTokens":6}}'),
    ).toEqual({
      inputTokens: 4,
      outputTokens: 2,
    });
    expect(invokeUsage({}, '{"generation":"x","prompt_token_count":9,"generation_token_count":4}')).toEqual({
      inputTokens: 9,
      outputTokens: 4,
    });
    expect(
      invokeUsage(
        {},
        '{"inputTextTokenCount":8,"results":[{"tokenCount":3,"outputText":"a"},{"tokenCount":2}]}',
      ),
    ).toEqual({ inputTokens: 8, outputTokens: 5 });
  });

  it("is null when nothing says, and ignores a malformed header", () => {
    expect(invokeUsage({}, '{"answer":"x"}')).toBeNull();
    expect(invokeUsage({}, "not json")).toBeNull();
    expect(invokeUsage({ "x-amzn-bedrock-input-token-count": "lots" }, '{"prompt_token_count":2}')).toEqual({
      inputTokens: 2,
      outputTokens: 0,
    });
  });
});

describe("converseUsage", () => {
  it("adds prompt-cache reads and writes into the input", () => {
    expect(
      converseUsage({
        inputTokens: 10,
        outputTokens: 4,
        totalTokens: 44,
        cacheReadInputTokens: 20,
        cacheWriteInputTokens: 10,
      }),
    ).toEqual({ inputTokens: 40, outputTokens: 4 });
    expect(converseUsage(undefined)).toBeNull();
  });
});
