/**
 * The fake Bedrock Runtime (src/backends/fake-bedrock/) driven by the official
 * `@aws-sdk/client-bedrock-runtime`, unmodified but for an endpoint override, static
 * credentials and an HTTP/1.1 handler (the one Docket's backend uses).
 *
 * Wire formats, as the fake speaks them. Sources: the Amazon Bedrock API Reference (Runtime:
 * InvokeModel, Converse, Common errors), the model parameter pages of the Bedrock User Guide
 * (Anthropic Claude Messages API, Meta Llama, Amazon Titan Text, Amazon Nova), and the SDK's
 * protocol code in node_modules: `@aws-sdk/client-bedrock-runtime/dist-es/schemas/schemas_0.js`
 * (the operations' HTTP bindings), `@aws-sdk/core/.../protocols/json/AwsRestJsonProtocol.js`
 * and `@smithy/core/.../protocols` `loadRestJsonErrorCode` (how an error's name is found).
 *
 * Transport: HTTP/1.1 here, as Docket's backend (`NodeHttpHandler`; docs/providers.md says
 * why). The SDK's default handler for bedrock-runtime is HTTP/2 (`NodeHttp2Handler` in
 * runtimeConfig.js, cleartext "prior knowledge" on an http:// endpoint), which a plain
 * HTTP/1.1 server answers with ERR_HTTP2_ERROR; the fake tells the two apart by the
 * connection's first bytes and serves both.
 *
 * Signing: SigV4, service name `bedrock`:
 *   authorization: AWS4-HMAC-SHA256 Credential=<key>/<yyyymmdd>/<region>/bedrock/aws4_request,
 *                  SignedHeaders=<…;host;x-amz-date…>, Signature=<64 hex>
 *   x-amz-date: <yyyymmdd>T<hhmmss>Z
 *   The fake checks the form, not the signature. No authorization → 403
 *   MissingAuthenticationTokenException; a malformed or wrongly scoped one → 403
 *   InvalidSignatureException.
 *
 * InvokeModel: POST /model/{modelId}/invoke — the model id (or ARN) URL-encoded into one path
 *   segment (`anthropic.claude-3-haiku-20240307-v1%3A0`); content-type and accept
 *   application/json; the body is the model's native JSON, passed through; the answer's body
 *   is the model's native JSON, with headers x-amzn-requestid,
 *   x-amzn-bedrock-invocation-latency, x-amzn-bedrock-input-token-count,
 *   x-amzn-bedrock-output-token-count.
 *   - anthropic.claude*: {anthropic_version: "bedrock-2023-05-31", max_tokens, messages,
 *     system?, temperature?, top_p?, top_k?, stop_sequences?, tools?, tool_choice?} (no `model`)
 *     → {id: "msg_bdrk_…", type: "message", role: "assistant", model, content: [{type: "text",
 *     text} | {type: "tool_use", id, name, input}], stop_reason: end_turn|max_tokens|tool_use,
 *     stop_sequence, usage: {input_tokens, output_tokens}}
 *   - meta.llama*: {prompt, max_gen_len?, temperature?, top_p?} → {generation,
 *     prompt_token_count, generation_token_count, stop_reason: stop|length}
 *   - amazon.titan-text*: {inputText, textGenerationConfig?: {maxTokenCount, temperature,
 *     topP, stopSequences}} → {inputTextTokenCount, results: [{tokenCount, outputText,
 *     completionReason: FINISH|LENGTH}]}
 *   - amazon.nova*: {schemaVersion?: "messages-v1", system?: [{text}], messages: [{role,
 *     content: [{text}]}], inferenceConfig?: {max_new_tokens, temperature, top_p, top_k,
 *     stopSequences}, toolConfig?} → {output: {message: {role, content}}, stopReason, usage:
 *     {inputTokens, outputTokens, totalTokens}}
 *   A body a model's schema refuses: 400 ValidationException "Malformed input request: #:
 *   required key [max_tokens] not found, please reformat your input and try again."
 *
 * Converse: POST /model/{modelId}/converse, body = ConverseRequest less modelId: {messages:
 *   [{role: user|assistant, content: [ContentBlock]}], system?: [{text}], inferenceConfig?:
 *   {maxTokens, temperature, topP, stopSequences}, toolConfig?: {tools: [{toolSpec: {name,
 *   description, inputSchema: {json}}}], toolChoice?: {auto: {}}|{any: {}}|{tool: {name}}},
 *   …}; a ContentBlock is one of text, image {format, source: {bytes: <base64>}}, document,
 *   toolUse {toolUseId, name, input}, toolResult {toolUseId, content, status}, cachePoint…
 *   → {output: {message: {role: "assistant", content: [{text} | {toolUse: {toolUseId, name,
 *   input}}]}}, stopReason: end_turn|max_tokens|tool_use|stop_sequence, usage: {inputTokens,
 *   outputTokens, totalTokens}, metrics: {latencyMs}}.
 *
 * Errors: the status, `x-amzn-ErrorType: <Name>:http://internal.amazon.com/coral/com.amazon.bedrock/`
 *   and {"message": "…"}. The SDK takes the name from that header (else from the body's
 *   `code`/`__type`; else "Unknown"). ThrottlingException 429, ModelNotReadyException 429,
 *   ServiceUnavailableException 503, InternalServerException 500, ModelTimeoutException 408,
 *   ValidationException 400, AccessDeniedException 403, ResourceNotFoundException 404.
 */
import {
  BedrockRuntimeClient,
  type BedrockRuntimeServiceException,
  ConverseCommand,
  InvokeModelCommand,
} from "@aws-sdk/client-bedrock-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeBedrock, startFakeBedrock } from "../../src/backends/fake-bedrock/fake-bedrock-server.js";
import { httpAgent } from "../../src/http-client/http-agent.js";

const started: FakeBedrock[] = [];
const clients: BedrockRuntimeClient[] = [];
async function start(options: Parameters<typeof startFakeBedrock>[0] = {}): Promise<FakeBedrock> {
  const fake = await startFakeBedrock(options);
  started.push(fake);
  return fake;
}
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(started.splice(0).map((f) => f.close()));
});

function client(fake: FakeBedrock): BedrockRuntimeClient {
  const c = new BedrockRuntimeClient({
    region: "us-east-1",
    endpoint: fake.url,
    credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret" },
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler(),
  });
  clients.push(c);
  return c;
}

const HAIKU = "anthropic.claude-3-haiku-20240307-v1:0";
const decoder = new TextDecoder();
async function invoke(c: BedrockRuntimeClient, modelId: string, body: unknown) {
  const out = await c.send(
    new InvokeModelCommand({
      modelId,
      body: JSON.stringify(body),
      contentType: "application/json",
      accept: "application/json",
    }),
  );
  return JSON.parse(decoder.decode(out.body)) as Record<string, unknown>;
}

async function errorOf(promise: Promise<unknown>): Promise<BedrockRuntimeServiceException> {
  try {
    await promise;
  } catch (error) {
    return error as BedrockRuntimeServiceException;
  }
  throw new Error("expected the call to fail");
}

describe("fake Bedrock Runtime: InvokeModel per model family", () => {
  it("answers Claude's Messages body, and a forced tool with a valid input", async () => {
    const fake = await start({ recordBodies: true });
    const c = client(fake);
    const text = await invoke(c, HAIKU, {
      anthropic_version: "bedrock-2023-05-31",
      max_tokens: 5,
      system: "Be brief.",
      messages: [{ role: "user", content: "Summarise the call." }],
    });
    expect(text).toMatchObject({ type: "message", role: "assistant", model: "claude-3-haiku-20240307" });
    expect(text.stop_reason).toBe("max_tokens");
    expect((text.content as Array<{ text: string }>)[0]!.text.split(" ")).toHaveLength(5);
    expect(text.usage).toMatchObject({ output_tokens: 5 });

    const tool = await invoke(c, `us.${HAIKU}`, {
      anthropic_version: "bedrock-2023-05-31",
      max_tokens: 100,
      messages: [{ role: "user", content: [{ type: "text", text: "Weather in Paris?" }] }],
      tools: [
        {
          name: "get_weather",
          input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
        },
      ],
      tool_choice: { type: "any" },
    });
    expect(tool.stop_reason).toBe("tool_use");
    expect(tool.content).toEqual([
      {
        type: "tool_use",
        id: expect.stringMatching(/^toolu_bdrk_/),
        name: "get_weather",
        input: { city: "" },
      },
    ]);
    // The SDK URL-encodes the model id into one path segment.
    expect(Object.keys(fake.stats().byPath)).toContain(
      "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke",
    );
  });

  it("answers Llama, Titan Text and Nova in their own shapes", async () => {
    const fake = await start({ outputTokens: 8 });
    const c = client(fake);
    const llama = await invoke(c, "meta.llama3-1-8b-instruct-v1:0", {
      prompt: "Hello there",
      max_gen_len: 3,
    });
    expect(llama).toMatchObject({ prompt_token_count: 3, generation_token_count: 3, stop_reason: "length" });
    expect(typeof llama.generation).toBe("string");

    const titan = await invoke(c, "amazon.titan-text-express-v1", {
      inputText: "Hello there",
      textGenerationConfig: { maxTokenCount: 50, temperature: 0.2 },
    });
    expect(titan).toMatchObject({
      inputTextTokenCount: 3,
      results: [{ tokenCount: 8, completionReason: "FINISH" }],
    });

    const nova = await invoke(c, "amazon.nova-lite-v1:0", {
      schemaVersion: "messages-v1",
      system: [{ text: "Be brief." }],
      messages: [{ role: "user", content: [{ text: "Hello" }] }],
      inferenceConfig: { max_new_tokens: 2 },
    });
    expect(nova).toMatchObject({ stopReason: "max_tokens", usage: { outputTokens: 2 } });
    expect((nova.output as { message: { role: string } }).message.role).toBe("assistant");
  });

  it("refuses bodies a model's schema refuses, and unknown models, with AWS error names", async () => {
    const fake = await start();
    const c = client(fake);
    const missing = await errorOf(
      invoke(c, HAIKU, { anthropic_version: "bedrock-2023-05-31", messages: [] }),
    );
    expect(missing.name).toBe("ValidationException");
    expect(missing.$metadata.httpStatusCode).toBe(400);
    expect(missing.message).toBe(
      "Malformed input request: #: required key [max_tokens] not found, please reformat your input and try again.",
    );
    const extra = await errorOf(
      invoke(c, HAIKU, { anthropic_version: "bedrock-2023-05-31", max_tokens: 5, messages: [], model: "x" }),
    );
    expect(extra.message).toContain("extraneous key [model] is not permitted");
    const notJson = await errorOf(
      c.send(new InvokeModelCommand({ modelId: HAIKU, body: "{oops", contentType: "application/json" })),
    );
    expect(notJson.name).toBe("ValidationException");

    const unknown = await errorOf(invoke(c, "acme.unheard-of-v1", { prompt: "x" }));
    expect(unknown.name).toBe("ResourceNotFoundException");
    expect(unknown.$metadata.httpStatusCode).toBe(404);
    const invalid = await errorOf(invoke(c, "not a model", { prompt: "x" }));
    expect(invalid.name).toBe("ValidationException");
    expect(invalid.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("fake Bedrock Runtime: transport", () => {
  it("serves the SDK's default HTTP/2 client as well as HTTP/1.1", async () => {
    const fake = await start();
    const http2Client = new BedrockRuntimeClient({
      region: "us-east-1",
      endpoint: fake.url,
      credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret" },
      maxAttempts: 1,
    });
    clients.push(http2Client);
    const viaHttp2 = await invoke(http2Client, "meta.llama3-8b-instruct-v1:0", { prompt: "same prompt" });
    const viaHttp1 = await invoke(client(fake), "meta.llama3-8b-instruct-v1:0", { prompt: "same prompt" });
    expect(viaHttp2).toEqual(viaHttp1);
    const refused = await errorOf(invoke(http2Client, "meta.llama3-8b-instruct-v1:0", { prompt: 5 }));
    expect(refused.name).toBe("ValidationException");
    expect(fake.stats().requests).toBe(3);
  });
});

describe("fake Bedrock Runtime: Converse", () => {
  it("answers text, takes image bytes, and calls a forced tool with a schema-valid input", async () => {
    const fake = await start({ recordBodies: true });
    const c = client(fake);
    const plain = await c.send(
      new ConverseCommand({
        modelId: HAIKU,
        system: [{ text: "Be brief." }],
        messages: [
          {
            role: "user",
            content: [
              { text: "What is in this picture?" },
              { image: { format: "png", source: { bytes: new Uint8Array([137, 80, 78, 71]) } } },
            ],
          },
        ],
        inferenceConfig: { maxTokens: 4, temperature: 0.5 },
      }),
    );
    expect(plain.stopReason).toBe("max_tokens");
    expect(plain.output?.message?.role).toBe("assistant");
    expect(plain.usage).toMatchObject({ outputTokens: 4 });
    expect(plain.usage!.totalTokens).toBe(plain.usage!.inputTokens! + 4);
    expect(typeof plain.metrics?.latencyMs).toBe("number");
    // On the wire the image is base64, as the API reference says.
    expect(fake.stats().bodies![0]!.request).toContain('"bytes":"iVBORw=="');

    const forced = await c.send(
      new ConverseCommand({
        modelId: "amazon.nova-pro-v1:0",
        messages: [{ role: "user", content: [{ text: "Weather in Paris?" }] }],
        toolConfig: {
          tools: [
            {
              toolSpec: {
                name: "get_weather",
                inputSchema: {
                  json: {
                    type: "object",
                    properties: {
                      city: { type: "string", minLength: 1 },
                      days: { type: "integer", minimum: 1 },
                    },
                    required: ["city", "days"],
                  },
                },
              },
            },
          ],
          toolChoice: { tool: { name: "get_weather" } },
        },
      }),
    );
    expect(forced.stopReason).toBe("tool_use");
    expect(forced.output?.message?.content?.[0]?.toolUse).toMatchObject({
      name: "get_weather",
      input: { city: "x", days: 1 },
    });
  });

  it("refuses a conversation that does not start with the user, and a bad inference config", async () => {
    const fake = await start();
    const c = client(fake);
    const first = await errorOf(
      c.send(
        new ConverseCommand({ modelId: HAIKU, messages: [{ role: "assistant", content: [{ text: "Hi" }] }] }),
      ),
    );
    expect(first.name).toBe("ValidationException");
    expect(first.message).toMatch(/must start with a user message/);
    const temperature = await errorOf(
      c.send(
        new ConverseCommand({
          modelId: HAIKU,
          messages: [{ role: "user", content: [{ text: "Hi" }] }],
          inferenceConfig: { temperature: 3 },
        }),
      ),
    );
    expect(temperature.message).toMatch(/at 'inferenceConfig.temperature' failed to satisfy constraint/);
  });
});

describe("fake Bedrock Runtime: failures and signing", () => {
  it("raises each simulated failure under its AWS name", async () => {
    const cases = [
      [{ rate429: 1 }, "ThrottlingException", 429],
      [{ rate500: 1 }, "InternalServerException", 500],
      [{ rate503: 1 }, "ServiceUnavailableException", 503],
      [{ rateModelNotReady: 1 }, "ModelNotReadyException", 429],
      [{ fail400Marker: "POISON" }, "ValidationException", 400],
    ] as const;
    const fake = await start();
    const c = client(fake);
    for (const [options, name, status] of cases) {
      fake.setOptions({
        rate429: 0,
        rate500: 0,
        rate503: 0,
        rateModelNotReady: 0,
        fail400Marker: null,
        ...options,
      });
      const error = await errorOf(invoke(c, "meta.llama3-8b-instruct-v1:0", { prompt: "POISON pill" }));
      expect([error.name, error.$metadata.httpStatusCode]).toEqual([name, status]);
    }
    expect(fake.stats().byStatus).toEqual({ 429: 2, 500: 1, 503: 1, 400: 1 });
  });

  it("throttles beyond rpm, and frees a hanging request's slot when the client leaves", async () => {
    const fake = await start({ rpm: 2 });
    const c = client(fake);
    await invoke(c, "meta.llama3-8b-instruct-v1:0", { prompt: "a" });
    await invoke(c, "meta.llama3-8b-instruct-v1:0", { prompt: "b" });
    const third = await errorOf(invoke(c, "meta.llama3-8b-instruct-v1:0", { prompt: "c" }));
    expect(third.name).toBe("ThrottlingException");

    fake.setOptions({ rpm: 0, rateHang: 1 });
    const controller = new AbortController();
    const hung = c.send(
      new InvokeModelCommand({ modelId: "meta.llama3-8b-instruct-v1:0", body: '{"prompt":"d"}' }),
      { abortSignal: controller.signal },
    );
    await expect.poll(() => fake.stats().hanging).toBe(1);
    controller.abort();
    await expect(hung).rejects.toThrow();
    await expect.poll(() => fake.stats().abandoned).toBe(1);
  });

  it("refuses unsigned and wrongly scoped requests with AWS's 403s", async () => {
    const fake = await start();
    const unsigned = await request(`${fake.url}/model/${encodeURIComponent(HAIKU)}/invoke`, {
      method: "POST",
      dispatcher: httpAgent,
      body: "{}",
    });
    expect(unsigned.statusCode).toBe(403);
    expect(unsigned.headers["x-amzn-errortype"]).toBe(
      "MissingAuthenticationTokenException:http://internal.amazon.com/coral/com.amazon.bedrock/",
    );
    expect(await unsigned.body.json()).toEqual({ message: "Missing Authentication Token" });

    const s3Scoped = await request(`${fake.url}/model/${encodeURIComponent(HAIKU)}/invoke`, {
      method: "POST",
      dispatcher: httpAgent,
      headers: {
        authorization: `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`,
        "x-amz-date": "20260101T000000Z",
      },
      body: "{}",
    });
    expect(s3Scoped.statusCode).toBe(403);
    expect((await s3Scoped.body.json()) as { message: string }).toMatchObject({
      message: expect.stringContaining("'bedrock'"),
    });
  });
});
