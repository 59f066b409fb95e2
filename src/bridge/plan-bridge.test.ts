import { describe, expect, it } from "vitest";
import { BridgeError } from "./bridge-error.js";
import { planBridge } from "./plan-bridge.js";

const route = (type: string, extra: object = {}) => ({ name: `r-${type}`, backend: { type, ...extra } });
const claudeId = "anthropic.claude-3-5-sonnet-20240620-v1:0";
const invoke = (id: string) => `/model/${encodeURIComponent(id)}/invoke`;

describe("planBridge", () => {
  it.each([
    ["openai", "/v1/chat/completions"],
    ["openai", "/v1/completions"],
    ["openai", "/v1/embeddings"],
    ["openai", "/v1/responses"],
    ["llamacpp", "/v1/chat/completions"],
    ["llamacpp", "/v1/completions"],
    ["llamacpp", "/v1/embeddings"],
    ["anthropic", "/v1/messages"],
    ["bedrock", invoke(claudeId)],
    ["bedrock", "/model/amazon.nova-lite-v1%3A0/converse"],
    ["some-future-type", "/v1/messages"],
  ])("leaves a %s backend's native %s alone (the body goes as stored)", (type, endpoint) => {
    expect(planBridge(endpoint, route(type))).toBeNull();
  });

  it.each([
    ["anthropic", "/v1/embeddings"],
    ["anthropic", "/v1/completions"],
    ["bedrock", "/v1/responses"],
    ["llamacpp", "/v1/responses"],
    ["openai", "/model/amazon.nova-lite-v1%3A0/converse"],
  ])("refuses a %s backend for %s, naming the endpoint (param url)", (type, endpoint) => {
    try {
      planBridge(endpoint, route(type));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(BridgeError);
      expect((error as BridgeError).param).toBe("url");
      expect((error as BridgeError).message).toContain(endpoint);
      expect((error as BridgeError).message).toContain(`r-${type}`);
    }
  });

  const claudeBody = {
    anthropic_version: "bedrock-2023-05-31",
    max_tokens: 32,
    system: "S",
    messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
  };

  it("turns a Bedrock Claude invoke body into a Messages body, and passes the answer back unchanged", () => {
    const native = planBridge(invoke(claudeId), route("anthropic"))!.toNative(JSON.stringify(claudeBody));
    expect(native.endpoint).toBe("/v1/messages");
    const { anthropic_version: _v, ...rest } = claudeBody;
    expect(JSON.parse(native.body)).toEqual({ model: claudeId, ...rest });
    const answer =
      '{"id":"msg_1","type":"message","content":[],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":0}}';
    expect(native.fromNative(answer, null)).toBe(answer);
  });

  it("runs a Bedrock Claude invoke body on an OpenAI route through chat, answering as a Message", () => {
    const native = planBridge(invoke(claudeId), route("openai"))!.toNative(JSON.stringify(claudeBody));
    expect(native.endpoint).toBe("/v1/chat/completions");
    expect(JSON.parse(native.body)).toEqual({
      model: claudeId,
      messages: [
        { role: "system", content: "S" },
        { role: "user", content: "Hi" },
      ],
      max_tokens: 32,
    });
    const answer = JSON.stringify({
      id: "chatcmpl-1",
      choices: [{ index: 0, message: { role: "assistant", content: "Yo" }, finish_reason: "length" }],
      usage: { prompt_tokens: 3, completion_tokens: 32 },
    });
    expect(JSON.parse(native.fromNative(answer, null))).toMatchObject({
      type: "message",
      model: claudeId,
      stop_reason: "max_tokens",
    });
  });

  it.each([
    ["meta.llama3-70b-instruct-v1:0", { prompt: "Hi", max_gen_len: 10 }, "Meta Llama"],
    ["us.amazon.nova-lite-v1:0", { schemaVersion: "messages-v1", messages: [] }, "Amazon"],
    ["amazon.titan-text-express-v1", { inputText: "Hi" }, "Amazon"],
  ])("refuses the native body of %s off Bedrock, naming its family", (id, body, family) => {
    const bridge = planBridge(invoke(id), route("anthropic"))!;
    expect(() => bridge.toNative(JSON.stringify(body))).toThrow(family);
  });

  it("refuses a body that is not a JSON object", () => {
    const bridge = planBridge("/v1/chat/completions", route("anthropic"))!;
    expect(() => bridge.toNative("[1]")).toThrow(BridgeError);
    expect(() => bridge.toNative("{")).toThrow(BridgeError);
  });
});

describe("round trips", () => {
  const chatBody = {
    model: "m",
    messages: [
      { role: "system", content: "Be brief." },
      {
        role: "user",
        content: [
          { type: "text", text: "Look" },
          { type: "image_url", image_url: { url: "data:image/png;base64,QUJD" } },
        ],
      },
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: '{"x":1}' } }],
      },
      { role: "tool", tool_call_id: "c1", content: "done" },
    ],
    max_tokens: 99,
    temperature: 0.7,
    top_p: 0.5,
    stop: ["X"],
    tools: [
      {
        type: "function",
        function: {
          name: "f",
          description: "F",
          parameters: { type: "object", properties: { x: { type: "number" } } },
        },
      },
    ],
    tool_choice: "auto",
    user: "u",
  };

  it("chat → Messages → chat gives the same request", () => {
    const messages = planBridge("/v1/chat/completions", route("anthropic"))!.toNative(
      JSON.stringify(chatBody),
    ).body;
    const chat = planBridge("/v1/messages", route("openai"))!.toNative(messages).body;
    expect(JSON.parse(chat)).toEqual(chatBody);
  });

  it("Message → chat completion → Message gives the same answer", () => {
    const message = {
      id: "msg_1",
      type: "message",
      role: "assistant",
      model: "m",
      content: [
        { type: "text", text: "Calling." },
        { type: "tool_use", id: "toolu_1", name: "f", input: { x: 2 } },
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: {
        input_tokens: 9,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: 3,
      },
    };
    const asChat = planBridge("/v1/chat/completions", route("anthropic"))!
      .toNative(JSON.stringify({ model: "m", messages: [{ role: "user", content: "x" }] }))
      .fromNative(JSON.stringify(message), null);
    const again = planBridge("/v1/messages", route("openai"))!
      .toNative(JSON.stringify({ model: "m", max_tokens: 5, messages: [{ role: "user", content: "x" }] }))
      .fromNative(asChat, null);
    expect(JSON.parse(again)).toEqual(message);
  });
});
