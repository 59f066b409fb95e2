import { describe, expect, it } from "vitest";
import { extractUsage, extractUsageParsed } from "./usage.js";

describe("extractUsage", () => {
  it("reads chat and text completions", () => {
    const body = JSON.stringify({
      id: "chatcmpl-1",
      object: "chat.completion",
      choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }],
      usage: {
        prompt_tokens: 12,
        completion_tokens: 3,
        total_tokens: 15,
        prompt_tokens_details: { cached_tokens: 0 },
      },
    });
    expect(extractUsage(body)).toEqual({ inputTokens: 12, outputTokens: 3 });
  });

  it("reads embeddings, which have no output tokens", () => {
    const body = JSON.stringify({
      object: "list",
      data: [{ object: "embedding", index: 0, embedding: [0.1, -0.2] }],
      usage: { prompt_tokens: 7, total_tokens: 7 },
    });
    expect(extractUsage(body)).toEqual({ inputTokens: 7, outputTokens: 0 });
  });

  it("reads the responses API shape", () => {
    const body = JSON.stringify({
      object: "response",
      status: "completed",
      output: [{ type: "message", content: [{ type: "output_text", text: "x" }] }],
      usage: { input_tokens: 20, output_tokens: 5, total_tokens: 25 },
    });
    expect(extractUsage(body)).toEqual({ inputTokens: 20, outputTokens: 5 });
  });

  it("takes the top-level usage when it is not last, and ignores the word inside content", () => {
    const body = JSON.stringify({
      usage: { prompt_tokens: 4, completion_tokens: 2 },
      choices: [{ message: { content: 'the "usage": {"prompt_tokens": 999} text' } }],
    });
    expect(extractUsage(body)).toEqual({ inputTokens: 4, outputTokens: 2 });
  });

  it("adds Anthropic's cache write and read tokens into the input tokens", () => {
    const body = JSON.stringify({
      id: "msg_1",
      type: "message",
      content: [{ type: "text", text: "hi" }],
      stop_reason: "end_turn",
      usage: {
        input_tokens: 10,
        cache_creation_input_tokens: 200,
        cache_read_input_tokens: 3000,
        cache_creation: { ephemeral_5m_input_tokens: 200, ephemeral_1h_input_tokens: 0 },
        output_tokens: 7,
        service_tier: "standard",
      },
    });
    expect(extractUsage(body)).toEqual({ inputTokens: 3210, outputTokens: 7 });
    const noCache =
      '{"usage":{"input_tokens":5,"cache_creation_input_tokens":null,"cache_read_input_tokens":null,"output_tokens":1}}';
    expect(extractUsage(noCache)).toEqual({ inputTokens: 5, outputTokens: 1 });
  });

  it("copes with whitespace and pretty-printed bodies", () => {
    const body = JSON.stringify({ usage: { input_tokens: 1, output_tokens: 9 } }, null, 2);
    expect(extractUsage(body)).toEqual({ inputTokens: 1, outputTokens: 9 });
  });

  it("returns null when there is no usage, usage is null or the body is not JSON", () => {
    expect(extractUsage('{"id":"x"}')).toBeNull();
    expect(extractUsage('{"id":"x","usage":null}')).toBeNull();
    expect(extractUsage('{"usage":{"total_tokens":3}}')).toBeNull();
    expect(extractUsage("not json")).toBeNull();
    expect(extractUsage("")).toBeNull();
  });
});

describe("extractUsage read in place", () => {
  it("answers as parsing does, for plain and unusual usage objects", () => {
    const usages = [
      '{"input_tokens":12,"output_tokens":40}',
      '{ "input_tokens" : 0 , "output_tokens" : 7 }',
      '{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4,"prompt_tokens_details":{"cached_tokens":0,"x":[1,{"y":"}"}]}}',
      '{"prompt_tokens":null,"input_tokens":5,"completion_tokens":null,"output_tokens":2}',
      '{"input_tokens":"5","output_tokens":2}',
      '{"input_tokens":5,"output_tokens":"2"}',
      '{"input_tokens":5,"output_tokens":true,"service_tier":"standard \\" } quoted"}',
      '{"input_tokens":1.5,"output_tokens":2}',
      '{"input_tokens":1e2,"output_tokens":2}',
      '{"input_tokens":-1,"output_tokens":2}',
      '{"input_tokens":05,"output_tokens":2}',
      '{"input_tokens":5,"input_tokens":6,"output_tokens":2}',
      '{"in\\u0070ut_tokens":5,"output_tokens":2}',
      '{"input_tokens":9007199254740993,"output_tokens":2}',
      '{"input_tokens":5,"cache_creation_input_tokens":null,"cache_read_input_tokens":"x","output_tokens":1}',
      "{}",
      '{"input_tokens":5,}',
      '{"input_tokens":5',
    ];
    for (const usage of usages) {
      for (const body of [
        `{"id":"msg_1","content":[{"type":"text","text":"usage"}],"usage":${usage}}`,
        `{"usage":${usage},"meta":{"usage":{}}}`,
        `{"usage":${usage}`,
      ]) {
        expect(extractUsage(body), body).toEqual(extractUsageParsed(body));
      }
    }
    // The plain form is read in place, and right.
    expect(extractUsage('{"usage":{"input_tokens":12,"output_tokens":40}}')).toEqual({
      inputTokens: 12,
      outputTokens: 40,
    });
  });
});
