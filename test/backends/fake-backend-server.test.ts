import OpenAI from "openai";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeBackend, startFakeBackend } from "../../src/backends/fake/fake-backend-server.js";
import type { FakeStats } from "../../src/backends/fake/fake-stats.js";

const started: FakeBackend[] = [];
async function start(options: Parameters<typeof startFakeBackend>[0] = {}): Promise<FakeBackend> {
  const fake = await startFakeBackend(options);
  started.push(fake);
  return fake;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.close()));
});

async function post(url: string, body: unknown) {
  const res = await request(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}
const chat = (fake: FakeBackend, content: string, extra: Record<string, unknown> = {}) =>
  post(`${fake.url}/chat/completions`, { model: "m", messages: [{ role: "user", content }], ...extra });

describe("fake backend: the official openai SDK understands it", () => {
  it("answers chat.completions, completions, embeddings, responses and models", async () => {
    const fake = await start({ embeddingDim: 12 });
    const client = new OpenAI({ baseURL: fake.url, apiKey: "sk-fake", maxRetries: 0 });

    const completion = await client.chat.completions.create({
      model: "fake-model",
      messages: [{ role: "user", content: "Hello" }],
      max_tokens: 6,
    });
    expect(completion.object).toBe("chat.completion");
    expect(completion.choices[0]!.message.content!.split(" ")).toHaveLength(6);
    expect(completion.choices[0]!.finish_reason).toBe("length");
    expect(completion.usage).toMatchObject({ completion_tokens: 6 });
    const again = await client.chat.completions.create({
      model: "fake-model",
      messages: [{ role: "user", content: "Hello" }],
      max_tokens: 6,
    });
    expect(again.choices[0]!.message.content).toBe(completion.choices[0]!.message.content);
    expect(again.id).not.toBe(completion.id);

    const legacy = await client.completions.create({ model: "fake-model", prompt: "Once upon" });
    expect(legacy.object).toBe("text_completion");
    expect(legacy.choices[0]!.text.length).toBeGreaterThan(0);

    // The SDK asks for base64 by default and decodes it; floats when asked for explicitly.
    const base64 = await client.embeddings.create({ model: "fake-embed", input: ["a", "b"] });
    const floats = await client.embeddings.create({
      model: "fake-embed",
      input: ["a", "b"],
      encoding_format: "float",
    });
    expect(base64.data).toHaveLength(2);
    expect(base64.data[0]!.embedding).toHaveLength(12);
    expect(base64.data[0]!.embedding).toEqual(floats.data[0]!.embedding.map((v) => Math.fround(v)));

    const response = await client.responses.create({
      model: "fake-model",
      input: "Hi",
      instructions: "Be short.",
    });
    expect(response.status).toBe("completed");
    expect(response.output_text.split(" ")).toHaveLength(16);
    expect(response.usage).toMatchObject({ output_tokens: 16 });

    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toContain("fake-model");
  });

  it("gives the SDK OpenAI-shaped errors it can type", async () => {
    const fake = await start({ fail400Marker: "BAD-RECORD" });
    const client = new OpenAI({ baseURL: fake.url, apiKey: "sk-fake", maxRetries: 0 });
    const error = await client.chat.completions
      .create({ model: "m", messages: [{ role: "user", content: "BAD-RECORD here" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).type).toBe("invalid_request_error");
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).requestID).toMatch(/^req_/);

    fake.setOptions({ fail400Marker: null, rate429: 1, retryAfterSeconds: 2 });
    const limited = await client.chat.completions
      .create({ model: "m", messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect((limited as InstanceType<typeof OpenAI.RateLimitError>).headers.get("retry-after")).toBe("2");
  });
});

describe("fake backend: simulated conditions", () => {
  it("never serves more than its capacity at once and queues the rest", async () => {
    const fake = await start({ capacity: 3, latencyMs: 30 });
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => chat(fake, `q${i}`)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const stats = fake.stats();
    expect(stats.maxInFlight).toBe(3);
    expect(stats.maxQueued).toBeGreaterThan(0);
    expect(stats).toMatchObject({ requests: 12, inFlight: 0, queued: 0, byStatus: { 200: 12 } });
  });

  it("makes the queueing delay real: 6 requests at capacity 2 take three service rounds", async () => {
    const fake = await start({ capacity: 2, latencyMs: 60 });
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 6 }, (_, i) => chat(fake, `d${i}`)));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(175);
  });

  it("limits requests per minute with an accurate Retry-After", async () => {
    const fake = await start({ rpm: 5 });
    const results = [];
    for (let i = 0; i < 8; i++) results.push(await chat(fake, `r${i}`));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    const refused = results[5]!;
    const retryMs = Number(refused.headers["retry-after-ms"]);
    expect(retryMs).toBeGreaterThan(55_000);
    expect(retryMs).toBeLessThanOrEqual(60_000);
    expect(refused.headers["retry-after"]).toBe(String(Math.ceil(retryMs / 1000)));
    expect(JSON.parse(refused.text).error).toMatchObject({ type: "requests", code: "rate_limit_exceeded" });
    expect(results[4]!.headers["x-ratelimit-remaining-requests"]).toBe("0");
  });

  it("limits tokens per minute, counting max_tokens", async () => {
    const fake = await start({ tpm: 100 });
    expect((await chat(fake, "x".repeat(40), { max_tokens: 50 })).status).toBe(200); // 10 + 50
    const second = await chat(fake, "x".repeat(40), { max_tokens: 50 });
    expect(second.status).toBe(429);
    expect(JSON.parse(second.text).error.type).toBe("tokens");
    expect((await chat(fake, "x".repeat(40), { max_tokens: 20 })).status).toBe(200); // 10 + 20
  });

  it("draws failure fractions repeatably from the seed", async () => {
    const run = async () => {
      const fake = await start({ rate429: 0.3, rate500: 0.2, seed: 7 });
      const statuses = [];
      for (let i = 0; i < 40; i++) statuses.push((await chat(fake, `s${i}`)).status);
      return statuses;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(new Set(first)).toEqual(new Set([200, 429, 500]));
  });

  it("counts markers and fails only the marked records", async () => {
    const fake = await start({ markerPattern: "rec-(\\d+)", fail400Marker: "rec-3" });
    for (const id of [1, 2, 3, 2]) await chat(fake, `record rec-${id}`);
    const stats = fake.stats();
    expect(stats.markers).toEqual({ "1": 1, "2": 2, "3": 1, "rec-3": 1 });
    expect(stats.byStatus).toEqual({ 200: 3, 400: 1 });
    expect(stats.bodies).toBeUndefined();
  });

  it("answers malformed requests and unknown paths with OpenAI error bodies", async () => {
    const fake = await start();
    const bad = await post(`${fake.url}/chat/completions`, "{not json");
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).error).toMatchObject({
      type: "invalid_request_error",
      param: null,
      code: null,
    });
    const missing = await post(`${fake.url}/chat/completions`, { model: "m" });
    expect(JSON.parse(missing.text).error).toMatchObject({
      param: "messages",
      code: "missing_required_parameter",
    });
    const unknown = await post(`${fake.url}/nope`, {});
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text).error.message).toMatch(/Unknown path/);
  });
});

describe("fake backend: remote control", () => {
  it("reports stats on GET /stats and takes option changes on POST /control", async () => {
    const fake = await start({ capacity: 1 });
    const origin = new URL(fake.url).origin;
    await chat(fake, "one");
    const stats = (await (await request(`${origin}/stats`)).body.json()) as FakeStats;
    expect(stats).toMatchObject({ requests: 1, byStatus: { 200: 1 }, maxInFlight: 1 });

    const changed = await post(`${origin}/control`, { rate500: 1, capacity: 4 });
    expect(changed.status).toBe(200);
    expect(JSON.parse(changed.text)).toMatchObject({ rate500: 1, capacity: 4 });
    expect((await chat(fake, "two")).status).toBe(500);

    const reset = await post(`${origin}/control`, { rate500: 0, resetStats: true });
    expect(reset.status).toBe(200);
    expect(fake.stats().requests).toBe(0);
    expect((await chat(fake, "three")).status).toBe(200);

    const rejected = await post(`${origin}/control`, { rate500: 3 });
    expect(rejected.status).toBe(400);
    expect(JSON.parse(rejected.text).error.message).toMatch(/rate500/);
  });

  it("closes promptly while requests hang or wait in the queue", async () => {
    const fake = await startFakeBackend({ rateHang: 1 });
    const pending = chat(fake, "never").catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.stats().hanging).toBe(1);
    await fake.close();
    expect(await pending).toBeInstanceOf(Error);
  });
});
