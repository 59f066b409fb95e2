import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AnthropicBackend } from "../../src/backends/anthropic/anthropic-backend.js";
import {
  type FakeAnthropic,
  startFakeAnthropic,
} from "../../src/backends/fake-anthropic/fake-anthropic-server.js";
import { failure, success } from "../support/backend-results.js";

const MESSAGES = "/v1/messages";
const KEY = "sk-ant-backend";
const messageBody = (content: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model: "claude-fake", max_tokens: 64, messages: [{ role: "user", content }], ...extra });

describe("AnthropicBackend against the fake Anthropic server", () => {
  let fake: FakeAnthropic;
  let backend: AnthropicBackend;

  beforeAll(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY, recordBodies: true, fail400Marker: "POISON" });
    backend = new AnthropicBackend({ baseUrl: fake.url, apiKey: KEY, concurrency: 8, timeoutMs: 5000 });
  });
  afterAll(async () => {
    await backend.close();
    await fake.close();
  });
  afterEach(() => {
    fake.setOptions({ rate429: 0, rate529: 0, rate500: 0, rateHang: 0, rpm: 0 });
    fake.resetStats();
  });

  it("sends the body byte for byte and keeps the answer, request id and usage", async () => {
    // Odd spacing and key order, escapes and non-ASCII: what was written is what is sent.
    const body = `{ "max_tokens":7,"model" : "claude-fake","messages":[{"role":"user","content":"caf\\u00e9 🙂 \\"q\\""}] }`;
    const result = success(await backend.send({ endpoint: MESSAGES, body }));
    const seen = fake.stats().bodies!;
    expect(seen).toHaveLength(1);
    expect(seen[0]!.path).toBe(MESSAGES);
    expect(seen[0]!.request).toBe(body);
    expect(result.body).toBe(seen[0]!.response);
    expect(result.requestId).toMatch(/^req_/);
    const answer = JSON.parse(result.body);
    expect(answer.type).toBe("message");
    expect(result.usage).toEqual({ inputTokens: answer.usage.input_tokens, outputTokens: 7 });
  });

  it("counts cache writes and reads as input tokens", async () => {
    const cached = (question: string) =>
      JSON.stringify({
        model: "claude-fake",
        max_tokens: 8,
        system: [
          { type: "text", text: "Shared context. ".repeat(200), cache_control: { type: "ephemeral" } },
        ],
        messages: [{ role: "user", content: question }],
      });
    const first = success(await backend.send({ endpoint: MESSAGES, body: cached("one") }));
    const second = success(await backend.send({ endpoint: MESSAGES, body: cached("two") }));
    const u1 = JSON.parse(first.body).usage;
    const u2 = JSON.parse(second.body).usage;
    expect(u1.cache_creation_input_tokens).toBeGreaterThan(100);
    expect(u2.cache_read_input_tokens).toBe(u1.cache_creation_input_tokens);
    expect(first.usage).toEqual({
      inputTokens: u1.input_tokens + u1.cache_creation_input_tokens,
      outputTokens: 8,
    });
    expect(second.usage).toEqual({
      inputTokens: u2.input_tokens + u2.cache_read_input_tokens,
      outputTokens: 8,
    });
  });

  it("streams a body from bodyStream the same way", async () => {
    const body = messageBody("streamed");
    const result = success(
      await backend.send({
        endpoint: MESSAGES,
        body: "",
        bodyStream: async () => Readable.from([Buffer.from(body)]),
        bodyBytes: Buffer.byteLength(body),
      }),
    );
    expect(fake.stats().bodies![0]!.request).toBe(body);
    expect(JSON.parse(result.body).type).toBe("message");
  });

  it("retries a 429 after its retry-after, in ms", async () => {
    fake.setOptions({ rate429: 1, retryAfterSeconds: 3 });
    const result = failure(await backend.send({ endpoint: MESSAGES, body: messageBody("x") }));
    expect(result).toMatchObject({ retryable: true, retryAfterMs: 3000, statusCode: 429, code: "http_429" });
    expect(JSON.parse(result.body!).error.type).toBe("rate_limit_error");
    expect(result.requestId).toMatch(/^req_/);
  });

  it("retries 529 overloaded_error and 500 api_error, with the provider's message", async () => {
    fake.setOptions({ rate529: 1 });
    const overloaded = failure(await backend.send({ endpoint: MESSAGES, body: messageBody("x") }));
    expect(overloaded).toMatchObject({ retryable: true, statusCode: 529, message: "Overloaded" });
    fake.setOptions({ rate529: 0, rate500: 1 });
    const broken = failure(await backend.send({ endpoint: MESSAGES, body: messageBody("x") }));
    expect(broken).toMatchObject({ retryable: true, statusCode: 500, message: "Internal server error" });
  });

  it("fails 400 and 401 at once, keeping the body", async () => {
    const bad = failure(await backend.send({ endpoint: MESSAGES, body: messageBody("POISON") }));
    expect(bad).toMatchObject({ retryable: false, retryAfterMs: null, statusCode: 400 });
    expect(JSON.parse(bad.body!)).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    expect(bad.message).toMatch(/failure marker/);
    const invalid = failure(await backend.send({ endpoint: MESSAGES, body: '{"model":"m","messages":[]}' }));
    expect(invalid.message).toBe("max_tokens: Field required");

    const stranger = new AnthropicBackend({
      baseUrl: fake.url,
      apiKey: "wrong",
      concurrency: 1,
      timeoutMs: 5000,
    });
    const denied = failure(await stranger.send({ endpoint: MESSAGES, body: messageBody("x") }));
    await stranger.close();
    expect(denied).toMatchObject({ retryable: false, statusCode: 401, message: "invalid x-api-key" });
  });

  it("times out a request the server never answers, as retryable", async () => {
    fake.setOptions({ rateHang: 1 });
    const quick = new AnthropicBackend({ baseUrl: fake.url, apiKey: KEY, concurrency: 1, timeoutMs: 200 });
    const started = Date.now();
    const result = failure(await quick.send({ endpoint: MESSAGES, body: messageBody("x") }));
    await quick.close();
    expect(result).toMatchObject({ retryable: true, code: "timeout", statusCode: null });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("refuses endpoints other than /v1/messages without sending anything", async () => {
    const result = failure(await backend.send({ endpoint: "/v1/chat/completions", body: messageBody("x") }));
    expect(result).toMatchObject({ retryable: false, code: "unsupported_endpoint", statusCode: null });
    expect(result.message).toMatch(/only \/v1\/messages/);
    expect(fake.stats().requests).toBe(0);
  });
});

describe("AnthropicBackend headers and base URL", () => {
  it("sends x-api-key, anthropic-version and extra headers under the base URL's path and query", async () => {
    const seen: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
    const server = createServer((req, res) => {
      seen.push({ url: req.url ?? "", headers: req.headers });
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json", "request-id": "req_gateway" });
        res.end('{"type":"message","usage":{"input_tokens":1,"output_tokens":2}}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const plain = new AnthropicBackend({
        baseUrl: `http://127.0.0.1:${port}/`,
        apiKey: "k1",
        concurrency: 1,
        timeoutMs: 2000,
      });
      const gateway = new AnthropicBackend({
        baseUrl: `http://127.0.0.1:${port}/anthropic/proxy?tenant=7`,
        apiKey: "k2",
        version: "2024-01-01",
        headers: { "anthropic-beta": "prompt-caching-2024-07-31" },
        concurrency: 1,
        timeoutMs: 2000,
      });
      const a = success(await plain.send({ endpoint: MESSAGES, body: "{}" }));
      const b = success(await gateway.send({ endpoint: MESSAGES, body: "{}" }));
      await plain.close();
      await gateway.close();
      expect(a.requestId).toBe("req_gateway");
      expect(b.usage).toEqual({ inputTokens: 1, outputTokens: 2 });
      expect(seen[0]!.url).toBe("/v1/messages");
      expect(seen[0]!.headers).toMatchObject({
        "x-api-key": "k1",
        "anthropic-version": "2023-06-01",
        "content-type": "application/json",
      });
      expect(seen[0]!.headers.authorization).toBeUndefined();
      expect(seen[1]!.url).toBe("/anthropic/proxy/v1/messages?tenant=7");
      expect(seen[1]!.headers).toMatchObject({
        "x-api-key": "k2",
        "anthropic-version": "2024-01-01",
        "anthropic-beta": "prompt-caching-2024-07-31",
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("names a bad base URL", () => {
    expect(
      () => new AnthropicBackend({ baseUrl: "api.anthropic.com", concurrency: 1, timeoutMs: 1 }),
    ).toThrow(/must be an http\(s\) URL such as https:\/\/api.anthropic.com \(without \/v1\)/);
  });
});
