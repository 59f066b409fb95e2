import { describe, expect, it } from "vitest";
import { openAiResultOf } from "./openai-batch-result.js";

describe("openAiResultOf", () => {
  it("keeps a successful body byte for byte and reads its usage", () => {
    const body = '{"id":"c1","temperature":1.0,"usage":{"prompt_tokens":3,"completion_tokens":4}}';
    const line = `{"id":"r","custom_id":"docket-7","response":{"status_code":200,"request_id":"q","body":${body}},"error":null}`;
    expect(openAiResultOf(line)).toEqual({
      key: "docket-7",
      ok: true,
      statusCode: 200,
      body,
      usage: { inputTokens: 3, outputTokens: 4 },
    });
  });

  it("makes 429 and 5xx answers retryable and 4xx final, with the provider's code and message", () => {
    const answer = (status: number) =>
      openAiResultOf(
        `{"custom_id":"k","response":{"status_code":${status},"body":{"error":{"code":"c${status}","message":"m"}}},"error":null}`,
      );
    expect(answer(429)).toMatchObject({ ok: false, retryable: true, code: "c429", statusCode: 429 });
    expect(answer(503)).toMatchObject({ ok: false, retryable: true, code: "c503" });
    expect(answer(400)).toMatchObject({ ok: false, retryable: false, code: "c400", message: "m" });
  });

  it("reads error-file lines: expired and cancelled requests are retryable, others final", () => {
    const line = (code: string) =>
      `{"custom_id":"k","response":null,"error":{"code":"${code}","message":"x"}}`;
    expect(openAiResultOf(line("batch_expired"))).toMatchObject({
      ok: false,
      retryable: true,
      statusCode: null,
    });
    expect(openAiResultOf(line("batch_cancelled"))).toMatchObject({ retryable: true });
    expect(openAiResultOf(line("invalid_request"))).toMatchObject({
      retryable: false,
      code: "invalid_request",
    });
  });

  it("reads a line whatever its key order, and refuses one that is no JSON object", () => {
    const body =
      '{"id":"c1","choices":[{"message":{"content":"} \\" ]"}}],"usage":{"prompt_tokens":3,"completion_tokens":4}}';
    expect(
      openAiResultOf(`{"response":{"body":${body},"status_code":200},"error":null,"custom_id":"k"}`),
    ).toMatchObject({
      key: "k",
      ok: true,
      statusCode: 200,
      body,
      usage: { inputTokens: 3, outputTokens: 4 },
    });
    expect(() => openAiResultOf("null")).toThrow(/not a JSON object/);
  });
});
