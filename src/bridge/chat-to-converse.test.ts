import { describe, expect, it } from "vitest";
import { planBridge } from "./plan-bridge.js";

const bedrock = { name: "br", backend: { type: "bedrock" } };
const bridge = planBridge("/v1/chat/completions", bedrock)!;
const toNative = (body: object, b = bridge) => {
  const native = b.toNative(JSON.stringify(body));
  return { ...native, json: JSON.parse(native.body) };
};
/** Translating `body` fails with a BridgeError naming `param` (and, when given, a message holding `text`). */
const refusedAt = (body: object, param: string, text = "") =>
  expect(() => bridge.toNative(JSON.stringify(body))).toThrow(
    expect.objectContaining({ name: "BridgeError", param, message: expect.stringContaining(text) }),
  );
const user = [{ role: "user", content: "Hi" }];

describe("OpenAI chat → Bedrock Converse (request)", () => {
  it("puts the model id, URL-encoded, in the path, and maps system, messages and inferenceConfig", () => {
    const n = toNative({
      model: "anthropic.claude-3-haiku-20240307-v1:0",
      messages: [
        { role: "system", content: "Be brief." },
        ...user,
        { role: "assistant", content: "Yo" },
        { role: "user", content: "Again" },
      ],
      max_tokens: 50,
      temperature: 0.3,
      top_p: 0.9,
      stop: ["END"],
    });
    expect(n.endpoint).toBe("/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse");
    expect(n.json).toEqual({
      messages: [
        { role: "user", content: [{ text: "Hi" }] },
        { role: "assistant", content: [{ text: "Yo" }] },
        { role: "user", content: [{ text: "Again" }] },
      ],
      system: [{ text: "Be brief." }],
      inferenceConfig: { maxTokens: 50, temperature: 0.3, topP: 0.9, stopSequences: ["END"] },
    });
  });

  it("takes the route's fixed modelId over the request's model, and leaves maxTokens to the model when unset", () => {
    const fixed = planBridge("/v1/chat/completions", {
      name: "br",
      backend: { type: "bedrock", modelId: "arn:aws:bedrock:us-east-1:1:inference-profile/us.meta.llama3" },
    })!;
    const n = toNative({ model: "anything", messages: user }, fixed);
    expect(n.endpoint).toBe(
      `/model/${encodeURIComponent("arn:aws:bedrock:us-east-1:1:inference-profile/us.meta.llama3")}/converse`,
    );
    expect(n.json.inferenceConfig).toBeUndefined();
  });

  it("maps base64 images, tools, tool calls, merged tool results and tool_choice", () => {
    const n = toNative({
      model: "m",
      tools: [
        {
          type: "function",
          function: {
            name: "get_weather",
            description: "W",
            parameters: { type: "object", properties: { city: { type: "string" } } },
          },
        },
      ],
      tool_choice: "required",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Look" },
            { type: "image_url", image_url: { url: "data:image/jpeg;base64,QUJD" } },
          ],
        },
        {
          role: "assistant",
          content: "",
          tool_calls: [
            { id: "t1", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } },
          ],
        },
        { role: "tool", tool_call_id: "t1", content: "cold" },
      ],
    });
    expect(n.json.messages).toEqual([
      { role: "user", content: [{ text: "Look" }, { image: { format: "jpeg", source: { bytes: "QUJD" } } }] },
      {
        role: "assistant",
        content: [{ toolUse: { toolUseId: "t1", name: "get_weather", input: { city: "Oslo" } } }],
      },
      { role: "user", content: [{ toolResult: { toolUseId: "t1", content: [{ text: "cold" }] } }] },
    ]);
    expect(n.json.toolConfig).toEqual({
      tools: [
        {
          toolSpec: {
            name: "get_weather",
            description: "W",
            inputSchema: { json: { type: "object", properties: { city: { type: "string" } } } },
          },
        },
      ],
      toolChoice: { any: {} },
    });
    const auto = toNative({
      model: "m",
      messages: user,
      tools: [{ type: "function", function: { name: "f" } }],
      tool_choice: "auto",
    });
    expect(auto.json.toolConfig.toolChoice).toEqual({ auto: {} });
    const named = toNative({
      model: "m",
      messages: user,
      tools: [{ type: "function", function: { name: "f" } }],
      tool_choice: { type: "function", function: { name: "f" } },
    });
    expect(named.json.toolConfig.toolChoice).toEqual({ tool: { name: "f" } });
  });

  it("gives a JSON answer as a forced tool", () => {
    const schema = { type: "object", properties: { ok: { type: "boolean" } } };
    const n = toNative({
      model: "m",
      messages: user,
      response_format: { type: "json_schema", json_schema: { name: "result", schema } },
    });
    expect(n.json.toolConfig).toEqual({
      tools: [{ toolSpec: { name: "result", inputSchema: { json: schema } } }],
      toolChoice: { tool: { name: "result" } },
    });
  });

  it.each([
    [
      {
        messages: [
          { role: "user", content: [{ type: "image_url", image_url: { url: "https://x/cat.png" } }] },
        ],
      },
      "messages[0].content[0].image_url.url",
    ],
    [
      {
        messages: [
          {
            role: "user",
            content: [{ type: "image_url", image_url: { url: "data:image/bmp;base64,AA==" } }],
          },
        ],
      },
      "messages[0].content[0].image_url.url",
    ],
    [{ user: "u" }, "user"],
    [{ parallel_tool_calls: false }, "parallel_tool_calls"],
    [{ tool_choice: "none", tools: [{ type: "function", function: { name: "f" } }] }, "tool_choice"],
    [{ seed: 1 }, "seed"],
    [{ tool_choice: "auto" }, "tool_choice"],
    [{ response_format: { type: "json_object" }, tool_choice: "required" }, "response_format"],
    [{ n: 3 }, "n"],
  ])("refuses %j naming %s", (extra, param) => {
    refusedAt({ model: "m", messages: user, ...extra }, param);
  });
});

describe("Bedrock Converse → OpenAI chat completion (response)", () => {
  const converse = (
    content: object[],
    stopReason: string,
    usage: object = { inputTokens: 20, outputTokens: 7, totalTokens: 27 },
  ) =>
    JSON.stringify({
      output: { message: { role: "assistant", content } },
      stopReason,
      usage,
      metrics: { latencyMs: 12 },
    });
  const back = (answer: string, body: object = { model: "m-asked", messages: user }) =>
    JSON.parse(bridge.toNative(JSON.stringify(body)).fromNative(answer, "aws-req-1"));

  it("maps text and usage, takes the request id as the completion id (Converse has none)", () => {
    expect(back(converse([{ text: "Hello" }], "end_turn"))).toMatchObject({
      id: "chatcmpl-aws-req-1",
      object: "chat.completion",
      model: "m-asked",
      choices: [{ message: { role: "assistant", content: "Hello" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 20, completion_tokens: 7, total_tokens: 27 },
    });
  });

  it.each([
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["max_tokens", "length"],
    ["tool_use", "tool_calls"],
    ["content_filtered", "content_filter"],
    ["guardrail_intervened", "content_filter"],
  ])("maps stopReason %s to finish_reason %s", (reason, finish) => {
    expect(back(converse([{ text: "x" }], reason)).choices[0].finish_reason).toBe(finish);
  });

  it("maps toolUse blocks to tool_calls and a forced JSON tool to content", () => {
    const calls = back(
      converse([{ toolUse: { toolUseId: "tooluse_1", name: "f", input: { a: 1 } } }], "tool_use"),
    );
    expect(calls.choices[0].message.tool_calls).toEqual([
      { id: "tooluse_1", type: "function", function: { name: "f", arguments: '{"a":1}' } },
    ]);
    const json = back(
      converse([{ toolUse: { toolUseId: "t", name: "json_output", input: { a: 1 } } }], "tool_use"),
      {
        model: "m",
        messages: user,
        response_format: { type: "json_object" },
      },
    );
    expect(json.choices[0]).toMatchObject({ message: { content: '{"a":1}' }, finish_reason: "stop" });
  });

  it("adds cache read and write tokens into prompt_tokens", () => {
    const usage = { inputTokens: 10, outputTokens: 2, cacheReadInputTokens: 4, cacheWriteInputTokens: 1 };
    expect(back(converse([{ text: "x" }], "end_turn", usage)).usage).toMatchObject({
      prompt_tokens: 15,
      completion_tokens: 2,
      total_tokens: 17,
    });
  });
});

describe("Anthropic Messages → Bedrock Converse", () => {
  const messages = planBridge("/v1/messages", bedrock)!;

  it("translates the request and brings the answer back as a Message", () => {
    const native = messages.toNative(
      JSON.stringify({
        model: "anthropic.claude-x",
        max_tokens: 64,
        system: "S",
        messages: [{ role: "user", content: "Hi" }],
      }),
    );
    expect(native.endpoint).toBe("/model/anthropic.claude-x/converse");
    expect(JSON.parse(native.body)).toEqual({
      messages: [{ role: "user", content: [{ text: "Hi" }] }],
      system: [{ text: "S" }],
      inferenceConfig: { maxTokens: 64 },
    });
    const answer = JSON.stringify({
      output: { message: { role: "assistant", content: [{ text: "Yo" }] } },
      stopReason: "max_tokens",
      usage: { inputTokens: 3, outputTokens: 64 },
    });
    expect(JSON.parse(native.fromNative(answer, "r1"))).toEqual({
      id: "msg_r1",
      type: "message",
      role: "assistant",
      model: "anthropic.claude-x",
      content: [{ type: "text", text: "Yo" }],
      stop_reason: "max_tokens",
      stop_sequence: null,
      usage: {
        input_tokens: 3,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: 64,
      },
    });
  });
});
