import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { BackendFailure, BackendSuccess } from "../../src/backends/backend.js";
import { BedrockBackend, type BedrockBackendOptions } from "../../src/backends/bedrock/bedrock-backend.js";
import { bedrockEndpoint } from "../../src/backends/bedrock/bedrock-endpoint.js";
import { createBackend } from "../../src/backends/create-backend.js";
import { type FakeBedrock, startFakeBedrock } from "../../src/backends/fake-bedrock/fake-bedrock-server.js";

const fakes: FakeBedrock[] = [];
const backends: BedrockBackend[] = [];
afterEach(async () => {
  await Promise.all(backends.splice(0).map((b) => b.close()));
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

async function setup(
  fakeOptions: Parameters<typeof startFakeBedrock>[0] = {},
  options: Partial<BedrockBackendOptions> = {},
) {
  const fake = await startFakeBedrock({ recordBodies: true, ...fakeOptions });
  fakes.push(fake);
  const backend = new BedrockBackend({
    region: "eu-west-1",
    endpoint: fake.url,
    credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret" },
    concurrency: 4,
    timeoutMs: 5_000,
    ...options,
  });
  backends.push(backend);
  return { fake, backend };
}

const HAIKU = "anthropic.claude-3-haiku-20240307-v1:0";
// Odd spacing, an escaped and a literal non-ASCII character, keys in no usual order: any
// re-encoding on the way would show.
const CLAUDE_BODY =
  '{ "messages":[{"role":"user","content":"caf\\u00e9 🙂 summarise"}],"max_tokens" :7,\n"anthropic_version":"bedrock-2023-05-31"}';

describe("Bedrock backend against the fake Bedrock Runtime", () => {
  it("sends an InvokeModel body byte-exact and keeps the answer's bytes and header token counts", async () => {
    const { fake, backend } = await setup();
    const result = (await backend.send({
      endpoint: bedrockEndpoint("invoke", HAIKU),
      body: CLAUDE_BODY,
    })) as BackendSuccess;
    expect(result.ok).toBe(true);
    const seen = fake.stats().bodies![0]!;
    expect(seen.path).toBe("/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke");
    expect(seen.request).toBe(CLAUDE_BODY);
    expect(result.body).toBe(seen.response);
    expect(result.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const usage = JSON.parse(result.body).usage;
    expect(result.usage).toEqual({ inputTokens: usage.input_tokens, outputTokens: 7 });
  });

  it("reads token counts for the other families from the headers too", async () => {
    const { backend } = await setup();
    const llama = (await backend.send({
      endpoint: bedrockEndpoint("invoke", "meta.llama3-8b-instruct-v1:0"),
      body: '{"prompt":"one two three four","max_gen_len":3}',
    })) as BackendSuccess;
    expect(llama.usage).toEqual({ inputTokens: 5, outputTokens: 3 });
    expect(JSON.parse(llama.body)).toMatchObject({ prompt_token_count: 5, generation_token_count: 3 });
  });

  it("sends a Converse body byte-exact and takes usage from Converse's answer", async () => {
    const { fake, backend } = await setup({ outputTokens: 6 });
    const body =
      '{"messages":[{"role":"user","content":[{"text":"Describe"},{"image":{"format":"png","source":{"bytes":"iVBORw=="}}}]}],' +
      '"inferenceConfig":{"maxTokens":50},"toolConfig":{"tools":[{"toolSpec":{"name":"describe","inputSchema":{"json":' +
      '{"type":"object","properties":{"what":{"type":"string"}},"required":["what"]}}}}],"toolChoice":{"any":{}}}}';
    const result = (await backend.send({
      endpoint: bedrockEndpoint("converse", "amazon.nova-lite-v1:0"),
      body,
    })) as BackendSuccess;
    expect(result.ok).toBe(true);
    expect(fake.stats().bodies![0]!.request).toBe(body);
    expect(result.body).toBe(fake.stats().bodies![0]!.response);
    const answer = JSON.parse(result.body);
    expect(answer).toMatchObject({
      output: {
        message: { role: "assistant", content: [{ toolUse: { name: "describe", input: { what: "" } } }] },
      },
      stopReason: "tool_use",
      metrics: { latencyMs: expect.any(Number) },
    });
    expect(result.usage).toEqual({
      inputTokens: answer.usage.inputTokens,
      outputTokens: answer.usage.outputTokens,
    });
  });

  it("uses the route's fixed model id instead of the one in the path", async () => {
    const { fake, backend } = await setup({}, { modelId: "meta.llama3-70b-instruct-v1:0" });
    const result = await backend.send({
      endpoint: bedrockEndpoint("invoke", "my-alias"),
      body: '{"prompt":"hi"}',
    });
    expect(result.ok).toBe(true);
    expect(fake.stats().bodies![0]!.path).toBe("/model/meta.llama3-70b-instruct-v1%3A0/invoke");
  });

  it("is what a route with a bedrock backend gets, static credentials and all", async () => {
    const { fake } = await setup();
    const backend = createBackend({
      name: "bedrock",
      models: ["meta.*"],
      backend: {
        type: "bedrock",
        region: "ap-southeast-2",
        endpoint: fake.url,
        accessKeyId: "AKIDROUTE",
        secretAccessKey: "s",
      },
      concurrency: 2,
      timeoutMs: 5_000,
      maxAttempts: 3,
    });
    try {
      const result = await backend.send({
        endpoint: bedrockEndpoint("invoke", "meta.llama3-8b-instruct-v1:0"),
        body: '{"prompt":"hi"}',
      });
      expect(result).toMatchObject({ ok: true, usage: { inputTokens: 1, outputTokens: 16 } });
    } finally {
      await backend.close();
    }
  });

  it("retries throttling, model-not-ready, unavailability and internal errors, keeping the AWS error", async () => {
    const { fake, backend } = await setup();
    for (const [knob, name, status] of [
      ["rate429", "ThrottlingException", 429],
      ["rateModelNotReady", "ModelNotReadyException", 429],
      ["rate503", "ServiceUnavailableException", 503],
      ["rate500", "InternalServerException", 500],
    ] as const) {
      fake.setOptions({ rate429: 0, rate500: 0, rate503: 0, rateModelNotReady: 0, [knob]: 1 });
      const result = (await backend.send({
        endpoint: bedrockEndpoint("invoke", HAIKU),
        body: CLAUDE_BODY,
      })) as BackendFailure;
      expect(result).toMatchObject({ ok: false, retryable: true, statusCode: status, code: name });
      expect(result.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(JSON.parse(result.body!)).toEqual({ __type: name, message: expect.any(String) });
    }
  });

  it("fails a ValidationException at once with Bedrock's message", async () => {
    const { backend } = await setup();
    const result = (await backend.send({
      endpoint: bedrockEndpoint("invoke", HAIKU),
      body: '{"anthropic_version":"bedrock-2023-05-31","messages":[]}',
    })) as BackendFailure;
    expect(result).toMatchObject({
      ok: false,
      retryable: false,
      statusCode: 400,
      code: "ValidationException",
    });
    expect(result.message).toBe(
      "ValidationException: Malformed input request: #: required key [max_tokens] not found, please reformat your input and try again.",
    );
    const unknown = (await backend.send({
      endpoint: bedrockEndpoint("invoke", "acme.nothing-v1"),
      body: "{}",
    })) as BackendFailure;
    expect(unknown).toMatchObject({ retryable: false, statusCode: 404, code: "ResourceNotFoundException" });
  });

  it("stops a call when the caller aborts, and when the deadline passes", async () => {
    const { fake, backend } = await setup({ rateHang: 1 }, { timeoutMs: 300 });
    const controller = new AbortController();
    const pending = backend.send({
      endpoint: bedrockEndpoint("invoke", HAIKU),
      body: CLAUDE_BODY,
      signal: controller.signal,
      timeoutMs: 30_000,
    });
    await expect.poll(() => fake.stats().hanging).toBe(1);
    controller.abort();
    expect(await pending).toMatchObject({ ok: false, code: "aborted", retryable: true, statusCode: null });
    await expect.poll(() => fake.stats().abandoned).toBe(1);

    const started = Date.now();
    const timedOut = await backend.send({ endpoint: bedrockEndpoint("invoke", HAIKU), body: CLAUDE_BODY });
    expect(timedOut).toMatchObject({ ok: false, code: "timeout", retryable: true });
    expect(Date.now() - started).toBeLessThan(3_000);
    await expect.poll(() => fake.stats().abandoned).toBe(2);
  });

  it("retries when Bedrock cannot be reached, and refuses endpoints Bedrock does not have", async () => {
    const port = await freePort();
    const backend = new BedrockBackend({
      region: "us-east-1",
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret" },
      concurrency: 1,
      timeoutMs: 5_000,
    });
    backends.push(backend);
    const refused = await backend.send({ endpoint: bedrockEndpoint("invoke", HAIKU), body: CLAUDE_BODY });
    expect(refused).toMatchObject({ ok: false, retryable: true, code: "connection_error", statusCode: null });
    expect((refused as BackendFailure).message).toMatch(/ECONNREFUSED/);
    const chat = await backend.send({ endpoint: "/v1/chat/completions", body: "{}" });
    expect(chat).toMatchObject({ ok: false, retryable: false, code: "unsupported_endpoint" });
  });
});

/** A port nothing listens on: bound, read and closed again. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
