import { describe, expect, it } from "vitest";
import type { Outcome } from "../domain/record.js";
import { BatchBridges, outcomeInJobDialect } from "./batch-bridge.js";

const chat = `{"model":"claude-x",  "max_tokens":9,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}]}`;
const messagesAnswer = JSON.stringify({
  id: "msg_1",
  type: "message",
  role: "assistant",
  model: "claude-x",
  content: [{ type: "text", text: "hello there" }],
  stop_reason: "end_turn",
  stop_sequence: null,
  usage: { input_tokens: 5, output_tokens: 2 },
});
const succeeded = (body: string): Outcome => ({
  kind: "succeeded",
  response: { statusCode: 200, requestId: null, body },
  usage: { inputTokens: 5, outputTokens: 2 },
});

describe("BatchBridges", () => {
  const anthropic = new BatchBridges({ name: "claude-batch", backend: { type: "anthropic-batch" } });

  it("leaves a request the provider speaks byte for byte", () => {
    const messages = `{"model":"claude-x",\n "max_tokens":9, "messages":[{"role":"user","content":"hi"}]}`;
    const req = anthropic.providerRequest("/v1/messages", messages);
    expect(req).toEqual({ endpoint: "/v1/messages", body: messages });
  });

  it("translates a chat request into Messages for anthropic-batch and Converse for bedrock-batch", () => {
    const req = anthropic.providerRequest("/v1/chat/completions", chat);
    expect(req).toMatchObject({ endpoint: "/v1/messages" });
    const body = JSON.parse((req as { body: string }).body);
    expect(body).toMatchObject({ model: "claude-x", max_tokens: 9, system: "Be brief." });
    expect(body.messages).toHaveLength(1);
    expect(JSON.stringify(body.messages[0])).toContain('"hi"');

    const bedrock = new BatchBridges({
      name: "b",
      backend: { type: "bedrock-batch", modelId: "anthropic.claude-3-haiku-20240307-v1:0" },
    });
    const converse = bedrock.providerRequest("/v1/chat/completions", chat);
    expect(converse).toMatchObject({
      endpoint: `/model/${encodeURIComponent("anthropic.claude-3-haiku-20240307-v1:0")}/converse`,
    });
    expect(JSON.parse((converse as { body: string }).body)).toMatchObject({
      inferenceConfig: { maxTokens: 9 },
    });
  });

  it("refuses, naming the field, what the provider's dialect cannot carry", () => {
    const req = anthropic.providerRequest("/v1/chat/completions", chat.replace("{", '{"logprobs":true,'));
    expect(req).toMatchObject({ refused: { code: "unsupported_by_route" } });
    expect((req as { refused: { message: string } }).refused.message).toContain("logprobs");
    expect(anthropic.providerRequest("/v1/embeddings", "{}")).toMatchObject({
      refused: { code: "unsupported_by_route" },
    });
  });
});

describe("outcomeInJobDialect", () => {
  const bridge = new BatchBridges({ name: "c", backend: { type: "anthropic-batch" } }).bridgeFor(
    "/v1/chat/completions",
  )!;

  it("translates a successful answer back into the job's dialect, keeping status and usage", () => {
    const out = outcomeInJobDialect(bridge, chat, succeeded(messagesAnswer));
    expect(out.kind).toBe("succeeded");
    const body = JSON.parse((out as Extract<Outcome, { kind: "succeeded" }>).response.body);
    expect(body).toMatchObject({ object: "chat.completion", model: "claude-x" });
    expect(body.choices[0].message).toMatchObject({ role: "assistant", content: "hello there" });
    expect(out).toMatchObject({ response: { statusCode: 200 }, usage: { inputTokens: 5, outputTokens: 2 } });
  });

  it("passes failures as the provider gave them, and fails an answer it cannot read for good", () => {
    const failed: Outcome = {
      kind: "retry",
      runAt: 1,
      response: null,
      error: { code: "batch_expired", message: "expired" },
    };
    expect(outcomeInJobDialect(bridge, chat, failed)).toBe(failed);
    expect(outcomeInJobDialect(bridge, chat, succeeded('{"type":"nonsense"}'))).toMatchObject({
      kind: "failed",
      error: { code: "untranslatable_response" },
    });
  });
});
