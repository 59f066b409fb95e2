import { describe, expect, it } from "vitest";
import { anthropicResultOf } from "./anthropic-batch-result.js";

const same = (id: string) => id;

describe("anthropicResultOf", () => {
  it("keeps a succeeded message byte for byte, cache tokens counted as input", () => {
    const message =
      '{"id":"msg_1","type":"message", "content":[{"type":"text","text":"hi"}],"usage":{"input_tokens":5,"cache_read_input_tokens":2,"output_tokens":1}}';
    const result = anthropicResultOf(
      `{"custom_id":"a","result":{"type":"succeeded","message":${message}}}`,
      same,
    );
    expect(result).toEqual({
      key: "a",
      ok: true,
      statusCode: 200,
      body: message,
      usage: { inputTokens: 7, outputTokens: 1 },
    });
  });

  it("makes overloaded, api and rate-limit errors retryable and invalid requests final", () => {
    const errored = (type: string) =>
      anthropicResultOf(
        `{"custom_id":"a","result":{"type":"errored","error":{"type":"error","error":{"type":"${type}","message":"m"}}}}`,
        same,
      );
    expect(errored("overloaded_error")).toMatchObject({ ok: false, retryable: true, statusCode: 529 });
    expect(errored("api_error")).toMatchObject({ retryable: true, statusCode: 500 });
    expect(errored("rate_limit_error")).toMatchObject({ retryable: true, statusCode: 429 });
    expect(errored("invalid_request_error")).toMatchObject({
      retryable: false,
      code: "invalid_request_error",
      message: "m",
      statusCode: 400,
      body: '{"type":"error","error":{"type":"invalid_request_error","message":"m"}}',
    });
  });

  it("makes canceled and expired requests retryable, and maps the key", () => {
    const ended = (type: string) =>
      anthropicResultOf(`{"custom_id":"t-9","result":{"type":"${type}"}}`, (id) => `k:${id}`);
    expect(ended("canceled")).toMatchObject({
      key: "k:t-9",
      ok: false,
      retryable: true,
      code: "batch_canceled",
    });
    expect(ended("expired")).toMatchObject({ retryable: true, code: "batch_expired", statusCode: null });
  });

  it("reads a line whatever its key order, and refuses one that is no JSON object", () => {
    // The text holds an escaped backslash and an escaped quote before a brace.
    const message =
      '{"id":"msg_2","content":[{"type":"text","text":"a \\\\ b \\" }"}],"usage":{"input_tokens":1,"output_tokens":2}}';
    expect(
      anthropicResultOf(`{"result":{"message":${message},"type":"succeeded"},"custom_id":"b"}`, same),
    ).toMatchObject({ key: "b", ok: true, body: message, usage: { inputTokens: 1, outputTokens: 2 } });
    expect(anthropicResultOf(`{"custom_id":"c"}`, same)).toMatchObject({ key: "c", code: "unknown_result" });
    expect(() => anthropicResultOf("[1,2]", same)).toThrow(/not a JSON object/);
  });

  it("reads lines near Anthropic's own form as the general reader does: spaces, a member after the message, escapes", () => {
    const message =
      '{"id":"msg_3","content":[{"type":"text","text":"} \\" }}"}],"usage":{"input_tokens":3,"output_tokens":4}}';
    const expected = { ok: true, body: message, usage: { inputTokens: 3, outputTokens: 4 } };
    // As Anthropic writes it, with trailing whitespace.
    expect(
      anthropicResultOf(`{"custom_id":"a","result":{"type":"succeeded","message":${message}}} \r`, same),
    ).toMatchObject({ key: "a", ...expected });
    // A member after the message: the message alone is the body.
    expect(
      anthropicResultOf(`{"custom_id":"a","result":{"type":"succeeded","message":${message},"x":[1]}}`, same),
    ).toMatchObject({ key: "a", ...expected });
    // An escaped quote in the custom_id is decoded.
    expect(
      anthropicResultOf(`{"custom_id":"a\\"b","result":{"type":"succeeded","message":${message}}}`, same),
    ).toMatchObject({ key: 'a"b', ...expected });
    // Space before the message.
    expect(
      anthropicResultOf(`{"custom_id":"a","result":{"type":"succeeded","message": ${message} }}`, same),
    ).toMatchObject({ key: "a", ...expected });
  });
});
