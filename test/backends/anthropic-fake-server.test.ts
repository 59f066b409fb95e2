import Anthropic from "@anthropic-ai/sdk";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import {
  type FakeAnthropic,
  startFakeAnthropic,
} from "../../src/backends/fake-anthropic/fake-anthropic-server.js";
import { TOOL_USE_MARKER } from "../../src/backends/fake-anthropic/messages-request.js";
import { httpAgent } from "../../src/http-client/http-agent.js";

/*
 * The wire format the fake Anthropic server speaks, from Anthropic's API reference
 * (https://docs.anthropic.com/en/api/messages, /en/api/messages-count-tokens, /en/api/errors,
 * /en/api/rate-limits) and the official SDK's types (node_modules/@anthropic-ai/sdk 1.14:
 * resources/messages/messages.d.ts `MessageCreateParams`, `Message`, `Usage`, `StopReason`;
 * core/error.mjs for the status → error class table; client.mjs for the headers it sends).
 *
 * Request  POST /v1/messages
 *   headers: `x-api-key: KEY` (the API) or `authorization: Bearer KEY` (what SDK 1.14 sends),
 *            `anthropic-version` (required, 400 without; SDK 1.14 sends 2026-10-21, Docket's
 *            backend 2023-06-01 unless configured),
 *            `content-type: application/json`
 *   body: {model: string, max_tokens: integer ≥ 1, messages: [{role: "user"|"assistant",
 *          content: string | [block]}] (non-empty), system?: string | [{type:"text", text,
 *          cache_control?}], tools?: [{name, description?, input_schema: {type:"object",…},
 *          cache_control?}] (server tools: {type: "<name>_<date>", name}), tool_choice?:
 *          {type: "auto"|"any"|"none"} | {type:"tool", name}, stop_sequences?: [string],
 *          temperature?: 0..1, top_p?: 0..1, top_k?: integer ≥ 0, metadata?, stream?}
 *   blocks: {type:"text", text}, {type:"image", source: {type:"base64", media_type, data} |
 *          {type:"url", url}}, {type:"document", source: base64|text|url|content},
 *          {type:"tool_use", id, name, input: object}, {type:"tool_result", tool_use_id,
 *          content?: string | [block], is_error?}; any block may carry `cache_control`.
 * Answer   200, headers `request-id: req_…`, body (field order as the API sends it):
 *   {id: "msg_…", type: "message", role: "assistant", model, content: [{type:"text", text} |
 *    {type:"tool_use", id:"toolu_…", name, input}], stop_reason: "end_turn"|"max_tokens"|
 *    "stop_sequence"|"tool_use", stop_sequence: string|null, usage: {input_tokens,
 *    cache_creation_input_tokens, cache_read_input_tokens, output_tokens, service_tier}}
 *   input_tokens counts only what is neither written to nor read from the prompt cache.
 * Request  POST /v1/messages/count_tokens: the same body without max_tokens → {input_tokens}.
 * Errors   {type:"error", error:{type, message}, request_id} with status by type:
 *   400 invalid_request_error (message "path.to.field: what is wrong"), 401
 *   authentication_error, 404 not_found_error, 413 request_too_large, 429 rate_limit_error
 *   (+ `retry-after` seconds), 500 api_error, 529 overloaded_error.
 */

const KEY = "sk-ant-test";
let fake: FakeAnthropic | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

async function start(options: Parameters<typeof startFakeAnthropic>[0] = {}) {
  fake = await startFakeAnthropic({ apiKey: KEY, ...options });
  return new Anthropic({ baseURL: fake.url, apiKey: KEY, maxRetries: 0 });
}

const user = (content: string) => [{ role: "user" as const, content }];

describe("fake Anthropic server through the official @anthropic-ai/sdk", () => {
  it("creates a message whose text is derived from the prompt", async () => {
    const client = await start({ outputTokens: 6 });
    const ask = () =>
      client.messages.create({
        model: "claude-fake",
        max_tokens: 100,
        system: "Be brief.",
        messages: user("Hello"),
      });
    const { data: message, response } = await ask().withResponse();
    expect(message).toMatchObject({ type: "message", role: "assistant", model: "claude-fake" });
    expect(message.id).toMatch(/^msg_/);
    expect(message.stop_reason).toBe("end_turn");
    expect(message.stop_sequence).toBeNull();
    expect(message.content).toHaveLength(1);
    const text = (message.content[0] as Anthropic.TextBlock).text;
    expect(text.split(" ")).toHaveLength(6);
    expect(message.usage).toMatchObject({
      output_tokens: 6,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    });
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(response.headers.get("request-id")).toMatch(/^req_/);
    // Same request, same text; another prompt, another text.
    expect(((await ask()).content[0] as Anthropic.TextBlock).text).toBe(text);
    const other = await client.messages.create({
      model: "claude-fake",
      max_tokens: 100,
      messages: user("Bye"),
    });
    expect((other.content[0] as Anthropic.TextBlock).text).not.toBe(text);
  });

  it("stops at max_tokens and at a stop sequence present in the text", async () => {
    const client = await start({ outputTokens: 12 });
    const capped = await client.messages.create({
      model: "m",
      max_tokens: 3,
      messages: user("Tell me more"),
    });
    expect(capped.stop_reason).toBe("max_tokens");
    expect(capped.usage.output_tokens).toBe(3);

    const full = await client.messages.create({ model: "m", max_tokens: 50, messages: user("Tell me more") });
    const words = (full.content[0] as Anthropic.TextBlock).text.split(" ");
    const stop = ` ${words[4]}`;
    const stopped = await client.messages.create({
      model: "m",
      max_tokens: 50,
      stop_sequences: ["never-there", stop],
      messages: user("Tell me more"),
    });
    expect(stopped.stop_reason).toBe("stop_sequence");
    expect(stopped.stop_sequence).toBe(stop);
    const text = (stopped.content[0] as Anthropic.TextBlock).text;
    expect(text).not.toContain(stop);
    expect((full.content[0] as Anthropic.TextBlock).text.startsWith(text)).toBe(true);
  });

  it("answers with a tool_use block whose input satisfies the tool's schema", async () => {
    const client = await start();
    const tools: Anthropic.Tool[] = [
      {
        name: "get_weather",
        description: "Weather for a city",
        input_schema: {
          type: "object",
          properties: {
            city: { type: "string" },
            unit: { type: "string", enum: ["celsius", "fahrenheit"] },
            days: { type: "integer", minimum: 1 },
          },
          required: ["city", "unit", "days"],
        },
      },
      { name: "noop", input_schema: { type: "object", properties: {} } },
    ];
    const forced = await client.messages.create({
      model: "m",
      max_tokens: 100,
      tools,
      tool_choice: { type: "tool", name: "get_weather" },
      messages: user("Weather in Paris?"),
    });
    expect(forced.stop_reason).toBe("tool_use");
    const call = forced.content[0] as Anthropic.ToolUseBlock;
    expect(call).toMatchObject({
      type: "tool_use",
      name: "get_weather",
      input: { city: "value", unit: "celsius", days: 1 },
    });
    expect(call.id).toMatch(/^toolu_/);

    const any = await client.messages.create({
      model: "m",
      max_tokens: 100,
      tools,
      tool_choice: { type: "any" },
      messages: user("x"),
    });
    expect((any.content[0] as Anthropic.ToolUseBlock).name).toBe("get_weather");

    // auto: text unless the prompt asks; a tool result ends the loop with text.
    const auto = await client.messages.create({ model: "m", max_tokens: 100, tools, messages: user("hi") });
    expect(auto.stop_reason).toBe("end_turn");
    const asked = await client.messages.create({
      model: "m",
      max_tokens: 100,
      tools,
      messages: user(`${TOOL_USE_MARKER} please`),
    });
    expect(asked.stop_reason).toBe("tool_use");
    const answered = await client.messages.create({
      model: "m",
      max_tokens: 100,
      tools,
      messages: [
        { role: "user", content: `${TOOL_USE_MARKER} please` },
        { role: "assistant", content: [call] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: "18 °C" }] },
      ],
    });
    expect(answered.stop_reason).toBe("end_turn");
    const none = await client.messages.create({
      model: "m",
      max_tokens: 100,
      tools,
      tool_choice: { type: "none" },
      messages: user(`${TOOL_USE_MARKER}`),
    });
    expect(none.stop_reason).toBe("end_turn");
  });

  it("writes a cache_control prefix to the cache once and reads it afterwards", async () => {
    const client = await start();
    const body: Anthropic.MessageCreateParamsNonStreaming = {
      model: "m",
      max_tokens: 20,
      system: [
        { type: "text", text: "A long shared context. ".repeat(100), cache_control: { type: "ephemeral" } },
      ],
      messages: user("question one"),
    };
    const first = await client.messages.create(body);
    const second = await client.messages.create({ ...body, messages: user("question two") });
    expect(first.usage.cache_creation_input_tokens).toBeGreaterThan(500);
    expect(first.usage.cache_read_input_tokens).toBe(0);
    expect(second.usage.cache_read_input_tokens).toBe(first.usage.cache_creation_input_tokens);
    expect(second.usage.cache_creation_input_tokens).toBe(0);
    expect(second.usage.input_tokens).toBeLessThan(10);
  });

  it("counts tokens without generating", async () => {
    const client = await start();
    const params = { model: "m", messages: user("x".repeat(400)) };
    const counted = await client.messages.countTokens(params);
    const created = await client.messages.create({ ...params, max_tokens: 5 });
    expect(counted.input_tokens).toBe(created.usage.input_tokens);
    expect(counted.input_tokens).toBeGreaterThanOrEqual(100);
  });

  it("refuses invalid requests with 400 invalid_request_error naming the field", async () => {
    const client = await start();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ messages: user("x"), max_tokens: 5 }, /^model: Field required/],
      [{ model: "m", messages: user("x") }, /^max_tokens: Field required/],
      [{ model: "m", max_tokens: 0, messages: user("x") }, /^max_tokens: .*greater than or equal to 1/],
      [{ model: "m", max_tokens: 1.5, messages: user("x") }, /^max_tokens: .*valid integer/],
      [{ model: "m", max_tokens: 5, messages: [] }, /^messages: at least one message/],
      [{ model: "m", max_tokens: 5, messages: [{ role: "system", content: "x" }] }, /^messages\.0\.role:/],
      [
        { model: "m", max_tokens: 5, messages: [{ role: "user", content: [{ type: "video" }] }] },
        /^messages\.0\.content\.0: Input tag 'video'/,
      ],
      [
        {
          model: "m",
          max_tokens: 5,
          messages: [{ role: "user", content: [{ type: "image", source: { type: "base64" } }] }],
        },
        /^messages\.0\.content\.0\.source:/,
      ],
      [{ model: "m", max_tokens: 5, messages: user("x"), temperature: 1.5 }, /^temperature:/],
      [{ model: "m", max_tokens: 5, messages: user("x"), system: [{ type: "image" }] }, /^system\.0:/],
      [
        { model: "m", max_tokens: 5, messages: user("x"), tools: [{ name: "t" }] },
        /^tools\.0\.input_schema: Field required/,
      ],
      [
        { model: "m", max_tokens: 5, messages: user("x"), tool_choice: { type: "sometimes" } },
        /^tool_choice\.type:/,
      ],
      [
        { model: "m", max_tokens: 5, messages: user("x"), tool_choice: { type: "tool", name: "ghost" } },
        /tool 'ghost'/,
      ],
      [{ model: "m", max_tokens: 5, messages: user("x"), stop_sequences: [1] }, /^stop_sequences:/],
    ];
    for (const [params, message] of cases) {
      const error = await client.messages
        .create(params as unknown as Anthropic.MessageCreateParamsNonStreaming)
        .catch((e: unknown) => e);
      expect(error, JSON.stringify(params)).toBeInstanceOf(Anthropic.BadRequestError);
      const apiError = error as InstanceType<typeof Anthropic.BadRequestError>;
      expect(apiError.status).toBe(400);
      expect(apiError.error).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
      expect((apiError.error as { error: { message: string } }).error.message).toMatch(message);
      expect(apiError.requestID).toMatch(/^req_/);
    }
  });

  it("maps auth, rate-limit, overload and server errors to the SDK's error classes", async () => {
    const client = await start({ seed: 3 });
    const bad = new Anthropic({ baseURL: fake!.url, apiKey: "wrong", maxRetries: 0 });
    const params = { model: "m", max_tokens: 5, messages: user("x") };
    await expect(bad.messages.create(params)).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    // x-api-key works as well as Bearer.
    const viaHeader = await request(`${fake!.url}/v1/messages`, {
      method: "POST",
      dispatcher: httpAgent,
      headers: { "x-api-key": KEY, "anthropic-version": "2023-06-01", "content-type": "application/json" },
      body: JSON.stringify(params),
    });
    expect(viaHeader.statusCode).toBe(200);
    await viaHeader.body.text();

    const expectError = async (cls: unknown, status: number, type: string) => {
      const error = (await client.messages.create(params).catch((e: unknown) => e)) as InstanceType<
        typeof Anthropic.APIError
      >;
      expect(error).toBeInstanceOf(cls as typeof Anthropic.APIError);
      expect(error.status).toBe(status);
      expect(error.error).toMatchObject({ type: "error", error: { type } });
      return error;
    };
    fake!.setOptions({ rate429: 1, retryAfterSeconds: 7 });
    const limited = await expectError(Anthropic.RateLimitError, 429, "rate_limit_error");
    expect(limited.headers?.get("retry-after")).toBe("7");
    fake!.setOptions({ rate429: 0, rate529: 1 });
    await expectError(Anthropic.InternalServerError, 529, "overloaded_error");
    fake!.setOptions({ rate529: 0, rate500: 1 });
    await expectError(Anthropic.InternalServerError, 500, "api_error");
    fake!.setOptions({ rate500: 0, rpm: 1 });
    await client.messages.create(params);
    const windowed = await expectError(Anthropic.RateLimitError, 429, "rate_limit_error");
    expect(Number(windowed.headers?.get("retry-after"))).toBeGreaterThan(50);

    const notFound = await request(`${fake!.url}/v1/complete`, {
      method: "POST",
      dispatcher: httpAgent,
      body: "{}",
    });
    expect(notFound.statusCode).toBe(404);
    expect(JSON.parse(await notFound.body.text())).toMatchObject({
      type: "error",
      error: { type: "not_found_error" },
    });
    const stats = fake!.stats();
    expect(stats.byStatus).toMatchObject({ 200: 2, 401: 1, 429: 2, 529: 1, 500: 1 });
  });

  it("lets the SDK's own retries ride out 429 and 529", async () => {
    // The SDK waits `retry-after` (1 s here) after a 429 and its own backoff (from 0.5 s) after a 529.
    fake = await startFakeAnthropic({ rate429: 0.15, rate529: 0.15, retryAfterSeconds: 1, seed: 4 });
    const client = new Anthropic({ baseURL: fake.url, apiKey: "any", maxRetries: 8 });
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        client.messages.create({ model: "m", max_tokens: 4, messages: user(`q${i}`) }),
      ),
    );
    expect(answers.every((a) => a.type === "message")).toBe(true);
    const stats = fake.stats();
    expect(stats.byStatus[200]).toBe(8);
    expect(stats.byStatus[429]).toBeGreaterThan(0);
    expect(stats.byStatus[529]).toBeGreaterThan(0);
  });
});
