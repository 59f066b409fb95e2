import { describe, expect, it } from "vitest";
import { BridgeError } from "./bridge-error.js";
import { planBridge } from "./plan-bridge.js";

const bridge = planBridge("/v1/messages", { name: "gpt", backend: { type: "openai" } })!;
const toNative = (body: object) => {
  const native = bridge.toNative(JSON.stringify(body));
  return { ...native, json: JSON.parse(native.body) };
};
/** Translating `body` fails with a BridgeError naming `param` (and, when given, a message holding `text`). */
const refusedAt = (body: object, param: string, text = "") =>
  expect(() => bridge.toNative(JSON.stringify(body))).toThrow(
    expect.objectContaining({ name: "BridgeError", param, message: expect.stringContaining(text) }),
  );
const base = { model: "gpt-x", max_tokens: 100, messages: [{ role: "user", content: "Hi" }] };

describe("Anthropic Messages → OpenAI chat (request)", () => {
  it("maps system, multi-turn messages, max_tokens, sampling, stop sequences and metadata.user_id", () => {
    const n = toNative({
      ...base,
      system: "Be brief.",
      messages: [
        { role: "user", content: "Hi" },
        { role: "assistant", content: [{ type: "text", text: "Hello" }] },
        { role: "user", content: [{ type: "text", text: "Again" }] },
      ],
      temperature: 0.2,
      top_p: 0.8,
      stop_sequences: ["STOP"],
      metadata: { user_id: "u-9" },
    });
    expect(n.endpoint).toBe("/v1/chat/completions");
    expect(n.json).toEqual({
      model: "gpt-x",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello" },
        { role: "user", content: "Again" },
      ],
      max_tokens: 100,
      temperature: 0.2,
      top_p: 0.8,
      stop: ["STOP"],
      user: "u-9",
    });
  });

  it("maps system blocks, images (base64 to a data URL, url as is)", () => {
    const n = toNative({
      ...base,
      system: [
        { type: "text", text: "A" },
        { type: "text", text: "B" },
      ],
      messages: [
        {
          role: "user",
          content: [
            { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "AAAA" } },
            { type: "image", source: { type: "url", url: "https://example.com/a.png" } },
            { type: "text", text: "Describe" },
          ],
        },
      ],
    });
    expect(n.json.messages).toEqual([
      {
        role: "system",
        content: [
          { type: "text", text: "A" },
          { type: "text", text: "B" },
        ],
      },
      {
        role: "user",
        content: [
          { type: "image_url", image_url: { url: "data:image/jpeg;base64,AAAA" } },
          { type: "image_url", image_url: { url: "https://example.com/a.png" } },
          { type: "text", text: "Describe" },
        ],
      },
    ]);
  });

  it("maps tools, tool_use and tool_result blocks (results first as tool messages, then the user's text)", () => {
    const n = toNative({
      ...base,
      tools: [
        {
          name: "lookup",
          description: "Look up",
          input_schema: { type: "object", properties: { q: { type: "string" } } },
        },
      ],
      tool_choice: { type: "any", disable_parallel_tool_use: true },
      messages: [
        { role: "user", content: "Find x" },
        {
          role: "assistant",
          content: [
            { type: "text", text: "Looking." },
            { type: "tool_use", id: "toolu_1", name: "lookup", input: { q: "x" } },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_1", content: [{ type: "text", text: "found" }] },
            { type: "text", text: "Now summarize" },
          ],
        },
      ],
    });
    expect(n.json.tools).toEqual([
      {
        type: "function",
        function: {
          name: "lookup",
          description: "Look up",
          parameters: { type: "object", properties: { q: { type: "string" } } },
        },
      },
    ]);
    expect(n.json.tool_choice).toBe("required");
    expect(n.json.parallel_tool_calls).toBe(false);
    expect(n.json.messages).toEqual([
      { role: "user", content: "Find x" },
      {
        role: "assistant",
        content: "Looking.",
        tool_calls: [
          { id: "toolu_1", type: "function", function: { name: "lookup", arguments: '{"q":"x"}' } },
        ],
      },
      { role: "tool", tool_call_id: "toolu_1", content: "found" },
      { role: "user", content: "Now summarize" },
    ]);
  });

  it.each([
    [{ type: "auto" }, "auto"],
    [{ type: "none" }, "none"],
    [
      { type: "tool", name: "f" },
      { type: "function", function: { name: "f" } },
    ],
  ])("maps tool_choice %j", (choice, expected) => {
    const tools = [{ name: "f", input_schema: { type: "object" } }];
    expect(toNative({ ...base, tools, tool_choice: choice }).json.tool_choice).toEqual(expected);
  });

  it.each([
    [{ top_k: 5 }, "top_k"],
    [{ thinking: { type: "enabled", budget_tokens: 1024 } }, "thinking"],
    [{ stream: true }, "stream"],
    [{ service_tier: "auto" }, "service_tier"],
    [{ metadata: { user_id: "u", tag: "x" } }, "metadata.tag"],
    [
      { system: [{ type: "text", text: "s", cache_control: { type: "ephemeral" } }] },
      "system[0].cache_control",
    ],
    [
      {
        messages: [
          { role: "user", content: [{ type: "text", text: "x", cache_control: { type: "ephemeral" } }] },
        ],
      },
      "messages[0].content[0].cache_control",
    ],
    [
      { messages: [{ role: "user", content: [{ type: "document", source: {} }] }] },
      "messages[0].content[0].type",
    ],
    [
      {
        messages: [
          {
            role: "user",
            content: [{ type: "tool_result", tool_use_id: "t", content: "boom", is_error: true }],
          },
        ],
      },
      "messages[0].content[0].is_error",
    ],
    [{ tools: [{ type: "web_search_20250305", name: "web_search" }] }, "tools[0].type"],
    [{ max_tokens: undefined }, "max_tokens"],
  ])("refuses %j naming %s", (extra, param) => {
    refusedAt({ ...base, ...extra }, param);
  });

  it("accepts thinking disabled", () => {
    expect(toNative({ ...base, thinking: { type: "disabled" } }).json.model).toBe("gpt-x");
  });
});

describe("OpenAI chat completion → Anthropic Message (response)", () => {
  const completion = (
    message: object,
    finish: string,
    usage: object = { prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 },
  ) =>
    JSON.stringify({
      id: "chatcmpl-abc",
      object: "chat.completion",
      created: 1,
      model: "backend-name",
      choices: [{ index: 0, message: { role: "assistant", ...message }, finish_reason: finish }],
      usage,
    });
  const back = (answer: string) => JSON.parse(bridge.toNative(JSON.stringify(base)).fromNative(answer, null));

  it("keeps the id, names the model asked for, maps text and usage", () => {
    expect(back(completion({ content: "Hello" }, "stop"))).toEqual({
      id: "chatcmpl-abc",
      type: "message",
      role: "assistant",
      model: "gpt-x",
      content: [{ type: "text", text: "Hello" }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: {
        input_tokens: 12,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: 4,
      },
    });
  });

  it("splits cached prompt tokens into cache_read_input_tokens", () => {
    const usage = { prompt_tokens: 12, completion_tokens: 4, prompt_tokens_details: { cached_tokens: 5 } };
    expect(back(completion({ content: "x" }, "stop", usage)).usage).toEqual({
      input_tokens: 7,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 5,
      output_tokens: 4,
    });
  });

  it.each([
    ["stop", "end_turn"],
    ["length", "max_tokens"],
    ["tool_calls", "tool_use"],
    ["content_filter", "refusal"],
  ])("maps finish_reason %s to stop_reason %s", (finish, reason) => {
    expect(back(completion({ content: "x" }, finish)).stop_reason).toBe(reason);
  });

  it("maps tool_calls to tool_use blocks", () => {
    const m = back(
      completion(
        {
          content: null,
          tool_calls: [
            { id: "call_9", type: "function", function: { name: "lookup", arguments: '{"q":"x"}' } },
          ],
        },
        "tool_calls",
      ),
    );
    expect(m.content).toEqual([{ type: "tool_use", id: "call_9", name: "lookup", input: { q: "x" } }]);
  });

  it("refuses tool call arguments that are not JSON (they cannot become an input object)", () => {
    const answer = completion(
      { content: null, tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{" } }] },
      "tool_calls",
    );
    expect(() => back(answer)).toThrow(BridgeError);
  });
});
