import { describe, expect, it } from "vitest";
import { BridgeError } from "./bridge-error.js";
import { planBridge } from "./plan-bridge.js";

const anthropic = { name: "claude", backend: { type: "anthropic" } };
const bridge = planBridge("/v1/chat/completions", anthropic)!;
const toNative = (body: object) => {
  const native = bridge.toNative(JSON.stringify(body));
  return { ...native, json: JSON.parse(native.body) };
};
/** Translating `body` fails with a BridgeError naming `param` (and, when given, a message holding `text`). */
const refusedAt = (body: object, param: string, text = "") =>
  expect(() => bridge.toNative(JSON.stringify(body))).toThrow(
    expect.objectContaining({ name: "BridgeError", param, message: expect.stringContaining(text) }),
  );

const IMAGE = "iVBORw0KGgo=";

describe("OpenAI chat → Anthropic Messages (request)", () => {
  it("maps a system prompt, a multi-turn conversation, sampling, stop and the default max_tokens", () => {
    const n = toNative({
      model: "claude-x",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello!" },
        { role: "user", content: [{ type: "text", text: "Sum 2+2" }] },
      ],
      temperature: 0.5,
      top_p: 0.9,
      stop: "END",
    });
    expect(n.endpoint).toBe("/v1/messages");
    expect(n.json).toEqual({
      model: "claude-x",
      max_tokens: 4096,
      system: "Be brief.",
      messages: [
        { role: "user", content: [{ type: "text", text: "Hi" }] },
        { role: "assistant", content: [{ type: "text", text: "Hello!" }] },
        { role: "user", content: [{ type: "text", text: "Sum 2+2" }] },
      ],
      temperature: 0.5,
      top_p: 0.9,
      stop_sequences: ["END"],
    });
  });

  it("takes max_completion_tokens over max_tokens, system content parts as blocks, developer as system", () => {
    const n = toNative({
      model: "m",
      max_tokens: 10,
      max_completion_tokens: 20,
      stop: ["a", "b"],
      messages: [
        {
          role: "developer",
          content: [
            { type: "text", text: "One." },
            { type: "text", text: "Two." },
          ],
        },
        { role: "user", content: "x" },
      ],
    });
    expect(n.json.max_tokens).toBe(20);
    expect(n.json.stop_sequences).toEqual(["a", "b"]);
    expect(n.json.system).toEqual([
      { type: "text", text: "One." },
      { type: "text", text: "Two." },
    ]);
  });

  it("maps base64 data URLs and http URLs to image sources", () => {
    const n = toNative({
      model: "m",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is it?" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${IMAGE}` } },
            { type: "image_url", image_url: { url: "https://example.com/cat.jpg", detail: "auto" } },
          ],
        },
      ],
    });
    expect(n.json.messages[0].content).toEqual([
      { type: "text", text: "What is it?" },
      { type: "image", source: { type: "base64", media_type: "image/png", data: IMAGE } },
      { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
    ]);
  });

  it("maps tools, tool calls and tool results, merging consecutive results into one user turn", () => {
    const n = toNative({
      model: "m",
      tools: [
        {
          type: "function",
          function: {
            name: "get_weather",
            description: "Weather",
            parameters: { type: "object", properties: { city: { type: "string" } } },
          },
        },
        { type: "function", function: { name: "noop" } },
      ],
      tool_choice: { type: "function", function: { name: "get_weather" } },
      parallel_tool_calls: false,
      messages: [
        { role: "user", content: "Weather in Paris and Rome?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "call_1",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"Paris"}' },
            },
            {
              id: "call_2",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"Rome"}' },
            },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: "sunny" },
        { role: "tool", tool_call_id: "call_2", content: [{ type: "text", text: "rain" }] },
        { role: "user", content: "Thanks" },
      ],
    });
    expect(n.json.tools).toEqual([
      {
        name: "get_weather",
        description: "Weather",
        input_schema: { type: "object", properties: { city: { type: "string" } } },
      },
      { name: "noop", input_schema: { type: "object", properties: {} } },
    ]);
    expect(n.json.tool_choice).toEqual({
      type: "tool",
      name: "get_weather",
      disable_parallel_tool_use: true,
    });
    expect(n.json.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Weather in Paris and Rome?" }] },
      {
        role: "assistant",
        content: [
          { type: "tool_use", id: "call_1", name: "get_weather", input: { city: "Paris" } },
          { type: "tool_use", id: "call_2", name: "get_weather", input: { city: "Rome" } },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "call_1", content: "sunny" },
          { type: "tool_result", tool_use_id: "call_2", content: "rain" },
          { type: "text", text: "Thanks" },
        ],
      },
    ]);
  });

  it.each([
    ["auto", { type: "auto" }],
    ["none", { type: "none" }],
    ["required", { type: "any" }],
  ])("maps tool_choice %s", (choice, expected) => {
    const tools = [{ type: "function", function: { name: "f" } }];
    expect(
      toNative({ model: "m", messages: [{ role: "user", content: "x" }], tools, tool_choice: choice }).json
        .tool_choice,
    ).toEqual(expected);
  });

  it("gives a json_schema response format as a forced tool and a user as metadata.user_id", () => {
    const schema = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"] };
    const n = toNative({
      model: "m",
      messages: [{ role: "user", content: "x" }],
      response_format: { type: "json_schema", json_schema: { name: "verdict", schema, strict: true } },
      user: "u-1",
    });
    expect(n.json.tools).toEqual([{ name: "verdict", input_schema: schema }]);
    expect(n.json.tool_choice).toEqual({ type: "tool", name: "verdict" });
    expect(n.json.metadata).toEqual({ user_id: "u-1" });
    const j = toNative({
      model: "m",
      messages: [{ role: "user", content: "x" }],
      response_format: { type: "json_object" },
    });
    expect(j.json.tools).toEqual([{ name: "json_output", input_schema: { type: "object" } }]);
  });

  it.each([
    [{ n: 2 }, "n"],
    [{ logprobs: true }, "logprobs"],
    [{ top_logprobs: 2 }, "top_logprobs"],
    [{ logit_bias: { "42": 1 } }, "logit_bias"],
    [{ audio: { voice: "alloy" } }, "audio"],
    [{ modalities: ["text", "audio"] }, "modalities"],
    [{ stream: true }, "stream"],
    [{ frequency_penalty: 0.5 }, "frequency_penalty"],
    [{ presence_penalty: -1 }, "presence_penalty"],
    [{ seed: 7 }, "seed"],
    [{ reasoning_effort: "low" }, "reasoning_effort"],
    [{ temperature: 1.5 }, "temperature"],
    [{ store: true }, "store"],
    [
      { response_format: { type: "json_object" }, tools: [{ type: "function", function: { name: "f" } }] },
      "response_format",
    ],
  ])("refuses %j naming %s", (extra, param) => {
    refusedAt({ model: "m", messages: [{ role: "user", content: "x" }], ...extra }, param, `'${param}'`);
  });

  it("accepts the neutral values of refused fields (n 1, logprobs false, zero penalties, empty bias)", () => {
    const n = toNative({
      model: "m",
      messages: [{ role: "user", content: "x" }],
      n: 1,
      logprobs: false,
      frequency_penalty: 0,
      presence_penalty: 0,
      logit_bias: {},
      seed: null,
      stream: false,
      modalities: ["text"],
    });
    expect(Object.keys(n.json).sort()).toEqual(["max_tokens", "messages", "model"]);
  });

  it.each([
    [[{ role: "user", content: "x", name: "bob" }], "messages[0].name"],
    [
      [
        { role: "user", content: "x" },
        { role: "system", content: "late" },
      ],
      "messages[1].role",
    ],
    [[{ role: "user", content: [{ type: "input_audio", input_audio: {} }] }], "messages[0].content[0].type"],
    [
      [
        {
          role: "user",
          content: [{ type: "image_url", image_url: { url: "https://x/y.png", detail: "high" } }],
        },
      ],
      "messages[0].content[0].image_url.detail",
    ],
    [
      [{ role: "user", content: [{ type: "image_url", image_url: { url: "ftp://x/y.png" } }] }],
      "messages[0].content[0].image_url.url",
    ],
    [
      [
        {
          role: "assistant",
          tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{oops" } }],
        },
      ],
      "messages[0].tool_calls[0].function.arguments",
    ],
    [[{ role: "function", name: "f", content: "x" }], "messages[0].name"],
  ])("refuses messages the target cannot express (%#)", (messages, param) => {
    refusedAt({ model: "m", messages }, param);
  });
});

describe("Anthropic Message → OpenAI chat completion (response)", () => {
  const message = (over: object) =>
    JSON.stringify({
      id: "msg_01",
      type: "message",
      role: "assistant",
      model: "claude-backend-name",
      content: [{ type: "text", text: "Hi there" }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 5 },
      ...over,
    });
  const back = (body: object, answer: string) =>
    JSON.parse(bridge.toNative(JSON.stringify(body)).fromNative(answer, "req_1"));
  const ask = { model: "claude-asked", messages: [{ role: "user", content: "x" }] };

  it("keeps the id, names the model asked for, and maps content and usage (cache tokens into prompt_tokens)", () => {
    const chat = back(
      ask,
      message({
        usage: {
          input_tokens: 10,
          output_tokens: 5,
          cache_creation_input_tokens: 3,
          cache_read_input_tokens: 2,
        },
      }),
    );
    expect(chat).toMatchObject({
      id: "msg_01",
      object: "chat.completion",
      model: "claude-asked",
      choices: [{ index: 0, message: { role: "assistant", content: "Hi there" }, finish_reason: "stop" }],
      usage: {
        prompt_tokens: 15,
        completion_tokens: 5,
        total_tokens: 20,
        prompt_tokens_details: { cached_tokens: 2 },
      },
    });
    expect(typeof chat.created).toBe("number");
  });

  it.each([
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["max_tokens", "length"],
    ["tool_use", "tool_calls"],
    ["refusal", "content_filter"],
  ])("maps stop_reason %s to finish_reason %s", (reason, finish) => {
    expect(back(ask, message({ stop_reason: reason })).choices[0].finish_reason).toBe(finish);
  });

  it("maps tool_use blocks to tool_calls with their ids and JSON arguments", () => {
    const chat = back(
      ask,
      message({
        content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } }],
        stop_reason: "tool_use",
      }),
    );
    expect(chat.choices[0].message.content).toBeNull();
    expect(chat.choices[0].message.tool_calls).toEqual([
      { id: "toolu_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
    ]);
  });

  it("turns the forced JSON tool's input into the content, with finish_reason stop", () => {
    const asked = {
      ...ask,
      response_format: { type: "json_schema", json_schema: { name: "verdict", schema: { type: "object" } } },
    };
    const chat = back(
      asked,
      message({
        content: [{ type: "tool_use", id: "toolu_1", name: "verdict", input: { answer: "yes" } }],
        stop_reason: "tool_use",
      }),
    );
    expect(chat.choices[0].message.content).toBe('{"answer":"yes"}');
    expect(chat.choices[0].message.tool_calls).toBeUndefined();
    expect(chat.choices[0].finish_reason).toBe("stop");
  });

  it("refuses an answer that is not a Message", () => {
    expect(() => back(ask, '{"choices":[]}')).toThrow(BridgeError);
  });
});
