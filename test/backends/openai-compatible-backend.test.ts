import { createServer } from "node:net";
import { Pool } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FakeBackend, startFakeBackend } from "../../src/backends/fake/fake-backend-server.js";
import { OpenAICompatibleBackend } from "../../src/backends/openai-compatible/openai-compatible-backend.js";
import { failure, success } from "../support/backend-results.js";

const CHAT = "/v1/chat/completions";
const chatBody = (content: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model: "fake-model", messages: [{ role: "user", content }], ...extra });

describe("OpenAICompatibleBackend against the fake server", () => {
  let fake: FakeBackend;
  let backend: OpenAICompatibleBackend;

  beforeAll(async () => {
    fake = await startFakeBackend({ recordBodies: true, fail400Marker: "POISON" });
    backend = new OpenAICompatibleBackend({
      baseUrl: fake.url,
      apiKey: "sk-test",
      concurrency: 8,
      timeoutMs: 5000,
    });
  });
  afterAll(async () => {
    await backend.close();
    await fake.close();
  });
  afterEach(() => {
    fake.setOptions({ rate429: 0, rate500: 0, rateHang: 0, latencyMs: 0, capacity: 0, rpm: 0 });
    fake.resetStats();
  });

  it("passes a success body through byte for byte, with request id and usage", async () => {
    const body = chatBody("Say something about café 🙂", { max_tokens: 5 });
    const result = success(await backend.send({ endpoint: CHAT, body }));
    const seen = fake.stats().bodies!;
    expect(seen).toHaveLength(1);
    expect(seen[0]!.path).toBe(CHAT);
    expect(seen[0]!.request).toBe(body);
    expect(result.body).toBe(seen[0]!.response);
    expect(result.statusCode).toBe(200);
    expect(result.requestId).toMatch(/^req_/);
    const parsed = JSON.parse(result.body);
    expect(result.usage).toEqual({
      inputTokens: parsed.usage.prompt_tokens,
      outputTokens: parsed.usage.completion_tokens,
    });
    expect(result.usage!.outputTokens).toBe(5);
  });

  it("keeps large multi-chunk bodies intact and reads embedding and responses usage", async () => {
    const emb = success(
      await backend.send({
        endpoint: "/v1/embeddings",
        body: JSON.stringify({ model: "e", input: ["a", "b", "c"], dimensions: 4096 }),
      }),
    );
    expect(emb.body.length).toBeGreaterThan(100_000);
    expect(emb.body).toBe(fake.stats().bodies![0]!.response);
    expect(emb.usage).toEqual({ inputTokens: JSON.parse(emb.body).usage.prompt_tokens, outputTokens: 0 });

    const resp = success(
      await backend.send({
        endpoint: "/v1/responses",
        body: JSON.stringify({ model: "m", input: "hello there" }),
      }),
    );
    expect(resp.usage).toEqual({ inputTokens: 3, outputTokens: 16 });
  });

  it("classifies 429 as retryable with the server's Retry-After", async () => {
    fake.setOptions({ rate429: 1, retryAfterSeconds: 7 });
    const result = failure(await backend.send({ endpoint: CHAT, body: chatBody("x") }));
    expect(result).toMatchObject({ retryable: true, retryAfterMs: 7000, statusCode: 429, code: "http_429" });
    expect(result.requestId).toMatch(/^req_/);
    expect(result.message).toMatch(/Rate limit reached/);
    expect(JSON.parse(result.body!).error.code).toBe("rate_limit_exceeded");
  });

  it("turns the server's rpm limit into a retryable 429 with its exact retry time", async () => {
    fake.setOptions({ rpm: 1 });
    success(await backend.send({ endpoint: CHAT, body: chatBody("first") }));
    const result = failure(await backend.send({ endpoint: CHAT, body: chatBody("second") }));
    expect(result).toMatchObject({ retryable: true, statusCode: 429 });
    expect(result.retryAfterMs).toBeGreaterThan(55_000);
    expect(result.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it("classifies 500 as retryable", async () => {
    fake.setOptions({ rate500: 1 });
    const result = failure(await backend.send({ endpoint: CHAT, body: chatBody("x") }));
    expect(result).toMatchObject({ retryable: true, retryAfterMs: null, statusCode: 500, code: "http_500" });
  });

  it("classifies 400 as final and keeps the provider's body and message verbatim", async () => {
    const result = failure(await backend.send({ endpoint: CHAT, body: chatBody("this one is POISON") }));
    expect(result).toMatchObject({ retryable: false, statusCode: 400, code: "http_400", retryAfterMs: null });
    expect(result.body).toBe(fake.stats().bodies![0]!.response);
    expect(result.message).toBe(JSON.parse(result.body!).error.message);
    expect(result.message).toContain("POISON");
  });

  it("times out a request the server never answers, retryably, near the deadline", async () => {
    fake.setOptions({ rateHang: 1 });
    const quick = new OpenAICompatibleBackend({ baseUrl: fake.url, concurrency: 1, timeoutMs: 300 });
    const started = performance.now();
    const result = failure(await quick.send({ endpoint: CHAT, body: chatBody("x") }));
    const elapsed = performance.now() - started;
    await quick.close();
    expect(result).toMatchObject({ retryable: true, code: "timeout", statusCode: null, body: null });
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(3000);
    await waitFor(() => fake.stats().hanging === 0);
    expect(fake.stats().abandoned).toBe(1);
  });

  it("stops at once when the caller aborts, and reports it as aborted", async () => {
    fake.setOptions({ latencyMs: 10_000 });
    const controller = new AbortController();
    const pending = backend.send({ endpoint: CHAT, body: chatBody("x"), signal: controller.signal });
    await waitFor(() => fake.stats().inFlight === 1);
    controller.abort();
    const result = failure(await pending);
    expect(result).toMatchObject({ retryable: true, code: "aborted", statusCode: null });
    // The server saw the client leave and freed the slot.
    await waitFor(() => fake.stats().inFlight === 0);

    const already = new AbortController();
    already.abort();
    expect(
      failure(await backend.send({ endpoint: CHAT, body: chatBody("x"), signal: already.signal })).code,
    ).toBe("aborted");
  });

  it("still works after failures: connections were not leaked", async () => {
    fake.setOptions({ rate500: 0.5, seed: 42 });
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => backend.send({ endpoint: CHAT, body: chatBody(`n${i}`) })),
    );
    fake.setOptions({ rate500: 0 });
    const ok = results.filter((r) => r.ok).length;
    expect(ok).toBeGreaterThan(0);
    expect(ok).toBeLessThan(40);
    expect(fake.stats().byStatus).toEqual({ 200: ok, 500: 40 - ok });
    expect(success(await backend.send({ endpoint: CHAT, body: chatBody("after") })).statusCode).toBe(200);
  });

  it("sends the API key and extra headers, and the same body the raw client would get", async () => {
    const seenHeaders: Array<Record<string, string | string[] | undefined>> = [];
    const { createServer: createHttp } = await import("node:http");
    const echo = createHttp((req, res) => {
      seenHeaders.push(req.headers);
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"ok":true}');
      });
    });
    await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
    const port = (echo.address() as { port: number }).port;
    const b = new OpenAICompatibleBackend({
      baseUrl: `http://127.0.0.1:${port}/v1`,
      apiKey: "sk-secret",
      headers: { "x-gateway": "g1" },
      concurrency: 1,
      timeoutMs: 2000,
    });
    const result = success(await b.send({ endpoint: CHAT, body: "{}" }));
    await b.close();
    await new Promise<void>((r) => echo.close(() => r()));
    expect(result).toMatchObject({ body: '{"ok":true}', requestId: null, usage: null });
    expect(seenHeaders[0]).toMatchObject({
      authorization: "Bearer sk-secret",
      "x-gateway": "g1",
      "content-type": "application/json",
    });
  });
});

describe("OpenAICompatibleBackend without a server", () => {
  it("reports a refused connection as a retryable connection_error", async () => {
    const port = await freePort();
    const backend = new OpenAICompatibleBackend({
      baseUrl: `http://127.0.0.1:${port}/v1`,
      concurrency: 2,
      timeoutMs: 2000,
    });
    const result = failure(await backend.send({ endpoint: CHAT, body: chatBody("x") }));
    await backend.close();
    expect(result).toMatchObject({ retryable: true, code: "connection_error", statusCode: null, body: null });
    expect(result.message).toMatch(/ECONNREFUSED/);
  });

  it("reports a connection the server drops mid-request as a retryable connection_error", async () => {
    const server = createServer((socket) => socket.once("data", () => socket.destroy()));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const backend = new OpenAICompatibleBackend({
      baseUrl: `http://127.0.0.1:${port}/v1`,
      concurrency: 1,
      timeoutMs: 2000,
    });
    const result = failure(await backend.send({ endpoint: CHAT, body: chatBody("x") }));
    await backend.close();
    await new Promise<void>((r) => server.close(() => r()));
    expect(result).toMatchObject({ retryable: true, code: "connection_error", statusCode: null });
  });

  it("matches a raw undici request's body for the same input", async () => {
    const fake = await startFakeBackend();
    const backend = new OpenAICompatibleBackend({ baseUrl: fake.url, concurrency: 1, timeoutMs: 2000 });
    const pool = new Pool(new URL(fake.url).origin);
    const body = chatBody("compare me");
    const viaBackend = success(await backend.send({ endpoint: CHAT, body }));
    const raw = await pool.request({
      method: "POST",
      path: "/v1/chat/completions",
      headers: { "content-type": "application/json" },
      body,
    });
    const rawText = await raw.body.text();
    await pool.close();
    await backend.close();
    await fake.close();
    // Ids and timestamps differ per answer; the rest is derived from the request.
    const strip = (text: string) => {
      const { id: _id, created: _created, ...rest } = JSON.parse(text);
      return rest;
    };
    expect(strip(viaBackend.body)).toEqual(strip(rawText));
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}
