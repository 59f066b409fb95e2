import { describe, expect, it } from "vitest";
import { isTruncated } from "./truncation.js";

const yes: Array<[string, unknown]> = [
  ["OpenAI chat", { object: "chat.completion", choices: [{ index: 0, finish_reason: "length" }] }],
  ["OpenAI chat, second choice", { choices: [{ finish_reason: "stop" }, { finish_reason: "length" }] }],
  [
    "OpenAI text completion",
    { object: "text_completion", choices: [{ text: "a", finish_reason: "length" }] },
  ],
  [
    "OpenAI Responses",
    { object: "response", status: "incomplete", incomplete_details: { reason: "max_output_tokens" } },
  ],
  ["Anthropic Messages / Claude on Bedrock", { type: "message", stop_reason: "max_tokens" }],
  ["Bedrock Converse", { output: {}, stopReason: "max_tokens" }],
  ["Llama on Bedrock", { generation: "x", stop_reason: "length" }],
  ["Mistral on Bedrock", { outputs: [{ text: "x", stop_reason: "length" }] }],
  ["Titan", { results: [{ outputText: "x", completionReason: "LENGTH" }] }],
  ["Cohere", { generations: [{ text: "x", finish_reason: "MAX_TOKENS" }] }],
  ["Cohere Command R", { text: "x", finish_reason: "MAX_TOKENS" }],
];

const no: Array<[string, unknown]> = [
  ["OpenAI chat that stopped", { choices: [{ finish_reason: "stop", message: { content: "length" } }] }],
  ["Anthropic end_turn with max_tokens in the text", { stop_reason: "end_turn", content: "max_tokens" }],
  [
    "Responses incomplete for content filter",
    { status: "incomplete", incomplete_details: { reason: "content_filter" } },
  ],
  ["Converse end_turn", { stopReason: "end_turn" }],
  ["embeddings", { object: "list", data: [{ embedding: [0.1] }] }],
];

describe("isTruncated", () => {
  for (const [name, body] of yes)
    it(`sees ${name}`, () => expect(isTruncated(JSON.stringify(body))).toBe(true));
  for (const [name, body] of no)
    it(`passes ${name}`, () => expect(isTruncated(JSON.stringify(body))).toBe(false));

  it("reads nothing into a body that is not JSON", () => {
    expect(isTruncated("finish_reason: length")).toBe(false);
    expect(isTruncated('"length"')).toBe(false);
  });
});
