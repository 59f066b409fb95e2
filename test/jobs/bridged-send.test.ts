import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeBackend, startFakeBackend } from "../../src/backends/fake/fake-backend-server.js";
import { OpenAICompatibleBackend } from "../../src/backends/openai-compatible/openai-compatible-backend.js";
import type { ClaimedRecord } from "../../src/domain/record.js";
import { sendBatchRecord } from "../../src/jobs/batch-request.js";

/** The batch send path's bridging, against the real OpenAI-compatible backend and the OpenAI fake. */
describe("sendBatchRecord through a bridge", () => {
  let fake: FakeBackend;
  let backend: OpenAICompatibleBackend;
  beforeEach(async () => {
    fake = await startFakeBackend({ recordBodies: true });
    backend = new OpenAICompatibleBackend({ baseUrl: fake.url, concurrency: 2, timeoutMs: 10_000 });
  });
  afterEach(async () => {
    await backend.close();
    await fake.close();
  });

  const record = (endpoint: string, body: object): ClaimedRecord => ({
    id: 1,
    jobId: "batch_1",
    projectId: "default",
    customId: "a",
    route: "gpt",
    kind: "batch",
    endpoint,
    body: JSON.stringify(body),
    attempt: 1,
    maxAttempts: 3,
  });
  const store = { capabilities: { largeBodies: null } } as never;
  const route = { name: "gpt", backend: { type: "openai" } };
  const signal = new AbortController().signal;

  it("sends a Messages record as chat and returns the answer as a Message with the backend's usage", async () => {
    const body = { model: "fake-model", max_tokens: 5, messages: [{ role: "user", content: "Hi" }] };
    const result = await sendBatchRecord(backend, record("/v1/messages", body), signal, store, route);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const [sent] = fake.stats().bodies!;
    expect(sent!.path).toBe("/v1/chat/completions");
    expect(JSON.parse(sent!.request)).toEqual({
      model: "fake-model",
      messages: [{ role: "user", content: "Hi" }],
      max_tokens: 5,
    });
    const message = JSON.parse(result.body);
    expect(message).toMatchObject({ type: "message", model: "fake-model", stop_reason: "max_tokens" });
    const native = JSON.parse(sent!.response!);
    expect(result.usage).toEqual({
      inputTokens: native.usage.prompt_tokens,
      outputTokens: native.usage.completion_tokens,
    });
    expect(message.usage).toMatchObject({
      input_tokens: native.usage.prompt_tokens,
      output_tokens: native.usage.completion_tokens,
    });
  });

  it("fails a record it cannot bridge for good, naming the field, and sends nothing", async () => {
    const body = {
      model: "fake-model",
      max_tokens: 5,
      top_k: 3,
      messages: [{ role: "user", content: "Hi" }],
    };
    const result = await sendBatchRecord(backend, record("/v1/messages", body), signal, store, route);
    expect(result).toMatchObject({
      ok: false,
      retryable: false,
      code: "unsupported_by_route",
      statusCode: null,
    });
    expect(!result.ok && result.message).toContain("'top_k'");
    expect(fake.stats().requests).toBe(0);
  });

  it("sends a native record's stored text untouched", async () => {
    const text = '{"model":"fake-model",  "max_tokens":2,"messages":[{"role":"user","content":"x"}]}';
    const result = await sendBatchRecord(
      backend,
      { ...record("/v1/chat/completions", {}), body: text },
      signal,
      store,
      route,
    );
    expect(result.ok).toBe(true);
    expect(fake.stats().bodies![0]!.request).toBe(text);
  });
});
