import { describe, expect, it } from "vitest";
import { chatCompletionBody, textCompletionBody } from "./completion-bodies.js";
import { embeddingsBody, encodeEmbedding } from "./embeddings-body.js";
import { openAIErrorBody } from "./error-body.js";
import { readJsonRequest } from "./json-request.js";
import { responseBody } from "./response-body.js";

const header = { idSuffix: "x1", created: 1_700_000_000, model: "m", systemFingerprint: null };
const tokens = { promptTokens: 3, completionTokens: 2 };

describe("OpenAI wire format", () => {
  it("writes the error envelope", () => {
    expect(openAIErrorBody("Bad.", "invalid_request_error", "n", null)).toBe(
      '{"error":{"message":"Bad.","type":"invalid_request_error","param":"n","code":null}}',
    );
  });

  it("reads a body only when it is a JSON object", () => {
    expect(readJsonRequest('{"model":"m"}')).toEqual({ ok: true, fields: { model: "m" } });
    expect(readJsonRequest("{nope")).toEqual({ ok: false, reason: "invalid_json" });
    expect(readJsonRequest("[1]")).toEqual({ ok: false, reason: "not_an_object" });
    expect(readJsonRequest("null")).toEqual({ ok: false, reason: "not_an_object" });
  });

  it("writes a chat completion in OpenAI's key order, with basic or full usage details", () => {
    const choices = [{ text: "hi", finishReason: "length" as const }];
    expect(chatCompletionBody(header, choices, tokens, "basic")).toBe(
      '{"id":"chatcmpl-x1","object":"chat.completion","created":1700000000,"model":"m",' +
        '"choices":[{"index":0,"message":{"role":"assistant","content":"hi","refusal":null,"annotations":[]},' +
        '"logprobs":null,"finish_reason":"length"}],' +
        '"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5,' +
        '"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}},' +
        '"service_tier":"default","system_fingerprint":null}',
    );
    const full = JSON.parse(chatCompletionBody(header, choices, tokens, "full"));
    expect(full.usage.prompt_tokens_details).toEqual({ cached_tokens: 0, audio_tokens: 0 });
    expect(Object.keys(full.usage.completion_tokens_details)).toEqual([
      "reasoning_tokens",
      "audio_tokens",
      "accepted_prediction_tokens",
      "rejected_prediction_tokens",
    ]);
  });

  it("writes a text completion with one entry per choice", () => {
    const body = textCompletionBody(
      { ...header, systemFingerprint: "fp" },
      [
        { text: "a", finishReason: "stop" },
        { text: "b", finishReason: "stop" },
      ],
      tokens,
    );
    expect(body).toBe(
      '{"id":"cmpl-x1","object":"text_completion","created":1700000000,"model":"m",' +
        '"choices":[{"text":"a","index":0,"logprobs":null,"finish_reason":"stop"},' +
        '{"text":"b","index":1,"logprobs":null,"finish_reason":"stop"}],' +
        '"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5},"system_fingerprint":"fp"}',
    );
  });

  it("writes embeddings as floats or as base64 of little-endian float32", () => {
    expect(encodeEmbedding([0.5, -1], "float")).toEqual([0.5, -1]);
    expect(encodeEmbedding(new Float32Array([0.5, -1]), "float")).toEqual([0.5, -1]);
    const base64 = encodeEmbedding([0.5, -1], "base64") as string;
    expect(Array.from(new Float32Array(new Uint8Array(Buffer.from(base64, "base64")).buffer))).toEqual([
      0.5, -1,
    ]);
    expect(encodeEmbedding(new Float32Array([0.5, -1]).subarray(1), "base64")).toBe(
      encodeEmbedding([-1], "base64"),
    );
    expect(embeddingsBody("e", [[1], "AAA="], 2)).toBe(
      '{"object":"list","data":[{"object":"embedding","index":0,"embedding":[1]},' +
        '{"object":"embedding","index":1,"embedding":"AAA="}],"model":"e",' +
        '"usage":{"prompt_tokens":2,"total_tokens":2}}',
    );
  });

  it("writes a Responses API object, incomplete when the cap cut it", () => {
    const r = JSON.parse(
      responseBody({
        idSuffix: "x1",
        created: 1,
        model: "m",
        instructions: null,
        maxOutputTokens: 2,
        text: "ab",
        capped: true,
        inputTokens: 3,
        outputTokens: 2,
      }),
    );
    expect(r).toMatchObject({
      id: "resp_x1",
      status: "incomplete",
      incomplete_details: { reason: "max_output_tokens" },
      output: [{ id: "msg_x1", status: "incomplete", content: [{ text: "ab" }] }],
      usage: { input_tokens: 3, output_tokens: 2, total_tokens: 5 },
    });
  });
});
