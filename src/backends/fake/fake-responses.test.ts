import { describe, expect, it } from "vitest";
import { type FakeRequest, isRequestError, parseFakeRequest } from "./fake-requests.js";
import { fakeEmbedding, fakeResponseBody, type ResponseContext } from "./fake-responses.js";

const ctx: ResponseContext = { idSuffix: "abc1", created: 1_700_000_000, outputTokens: 16, embeddingDim: 8 };

function parse(endpoint: Parameters<typeof parseFakeRequest>[0], body: unknown): FakeRequest {
  const parsed = parseFakeRequest(endpoint, JSON.stringify(body));
  if (isRequestError(parsed)) throw new Error(parsed.message);
  return parsed;
}

describe("fake requests", () => {
  it("reads chat prompts from strings and text parts, and the output cap", () => {
    const req = parse("chat", {
      model: "m",
      messages: [
        { role: "system", content: "Be brief." },
        {
          role: "user",
          content: [
            { type: "text", text: "Hello" },
            { type: "image_url", image_url: { url: "x" } },
          ],
        },
      ],
      max_tokens: 4,
    });
    expect(req.promptText).toBe("Be brief.\nHello");
    expect(req.promptTokens).toBe(4);
    expect(req.maxTokens).toBe(4);
    expect(
      parse("chat", { model: "m", messages: [{ role: "user", content: "x" }], max_completion_tokens: 9 })
        .maxTokens,
    ).toBe(9);
  });

  it("answers malformed requests with OpenAI's error codes", () => {
    expect(parseFakeRequest("chat", "{nope")).toMatchObject({ status: 400, type: "invalid_request_error" });
    expect(parseFakeRequest("chat", '{"messages":[]}')).toMatchObject({ param: "model" });
    expect(parseFakeRequest("chat", '{"model":"m"}')).toMatchObject({
      param: "messages",
      code: "missing_required_parameter",
    });
    expect(parseFakeRequest("embeddings", '{"model":"m"}')).toMatchObject({ param: "input" });
    expect(parseFakeRequest("responses", '{"model":"m","input":"x","max_output_tokens":0}')).toMatchObject({
      param: "max_output_tokens",
    });
    expect(
      parseFakeRequest("chat", '{"model":"m","messages":[{"content":"x"}],"stream":true}'),
    ).toMatchObject({
      param: "stream",
    });
  });

  it("reads embedding inputs of every shape", () => {
    expect(parse("embeddings", { model: "e", input: "one" }).inputs).toEqual(["one"]);
    expect(parse("embeddings", { model: "e", input: ["a", "b"] }).inputs).toEqual(["a", "b"]);
    expect(parse("embeddings", { model: "e", input: [1, 2, 3] }).inputs).toHaveLength(1);
    expect(parse("embeddings", { model: "e", input: [[1], [2]] }).inputs).toHaveLength(2);
  });
});

describe("fake responses", () => {
  it("writes a chat.completion whose content depends only on the prompt", () => {
    const req = parse("chat", { model: "m", messages: [{ role: "user", content: "Hi there" }] });
    const a = JSON.parse(fakeResponseBody(req, ctx));
    const b = JSON.parse(fakeResponseBody(req, { ...ctx, idSuffix: "other" }));
    const c = JSON.parse(
      fakeResponseBody(
        parse("chat", { model: "m", messages: [{ role: "user", content: "Hi there!" }] }),
        ctx,
      ),
    );
    expect(a).toMatchObject({
      id: "chatcmpl-abc1",
      object: "chat.completion",
      created: 1_700_000_000,
      model: "m",
      choices: [{ index: 0, message: { role: "assistant" }, finish_reason: "stop", logprobs: null }],
      usage: { prompt_tokens: 2, completion_tokens: 16, total_tokens: 18 },
    });
    expect(a.choices[0].message.content.split(" ")).toHaveLength(16);
    expect(b.choices).toEqual(a.choices);
    expect(c.choices[0].message.content).not.toBe(a.choices[0].message.content);
  });

  it("stops at max_tokens with finish_reason length, and gives n choices", () => {
    const req = parse("chat", {
      model: "m",
      messages: [{ role: "user", content: "x" }],
      max_tokens: 3,
      n: 2,
    });
    const body = JSON.parse(fakeResponseBody(req, ctx));
    expect(body.choices).toHaveLength(2);
    expect(body.choices[1]).toMatchObject({ index: 1, finish_reason: "length" });
    expect(body.choices[0].message.content.split(" ")).toHaveLength(3);
    expect(body.usage.completion_tokens).toBe(6);
  });

  it("writes text completions", () => {
    const body = JSON.parse(fakeResponseBody(parse("completions", { model: "m", prompt: "Once" }), ctx));
    expect(body).toMatchObject({
      id: "cmpl-abc1",
      object: "text_completion",
      choices: [{ index: 0, logprobs: null }],
    });
    expect(typeof body.choices[0].text).toBe("string");
  });

  it("writes unit-length embeddings as floats or base64 of the same float32 values", () => {
    const floats = JSON.parse(fakeResponseBody(parse("embeddings", { model: "e", input: ["a", "b"] }), ctx));
    expect(floats).toMatchObject({
      object: "list",
      model: "e",
      usage: { prompt_tokens: 1, total_tokens: 1 },
    });
    expect(floats.data).toHaveLength(2);
    const vector: number[] = floats.data[0].embedding;
    expect(vector).toHaveLength(8);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 4);
    expect(floats.data[1].embedding).not.toEqual(vector);

    const req = parse("embeddings", { model: "e", input: "a", encoding_format: "base64", dimensions: 8 });
    const encoded = JSON.parse(fakeResponseBody(req, ctx)).data[0].embedding as string;
    const decoded = new Float32Array(new Uint8Array(Buffer.from(encoded, "base64")).buffer);
    expect(Array.from(decoded)).toEqual(vector.map((v) => Math.fround(v)));
    expect(fakeEmbedding("a", 32)).toHaveLength(32);
  });

  it("writes responses API objects, incomplete when max_output_tokens cuts them", () => {
    const done = JSON.parse(fakeResponseBody(parse("responses", { model: "m", input: "hello" }), ctx));
    expect(done).toMatchObject({
      id: "resp_abc1",
      object: "response",
      status: "completed",
      output: [{ type: "message", role: "assistant", content: [{ type: "output_text" }] }],
      usage: { input_tokens: 2, output_tokens: 16, total_tokens: 18 },
    });
    const cut = JSON.parse(
      fakeResponseBody(parse("responses", { model: "m", input: "hello", max_output_tokens: 2 }), ctx),
    );
    expect(cut).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" } });
  });
});
