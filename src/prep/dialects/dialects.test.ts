import { describe, expect, it } from "vitest";
import type { PreparedRequest } from "../prepared-request.js";
import { compileTemplate } from "../template/compile-template.js";
import { parseTemplateSpec } from "../template/template-spec.js";
import { selectDialect } from "./select-dialect.js";

const chat: PreparedRequest = {
  kind: "request",
  rowNumber: 1,
  line: 2,
  customId: "CALL-0001",
  inputTokens: 30,
  truncated: false,
  endpoint: "/v1/chat/completions",
  body: {
    model: "claude-sonnet-4-5",
    messages: [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Summarise: hello" },
    ],
    max_tokens: 48,
    temperature: 0,
  },
};

describe("dialects", () => {
  it("openai: a Batch API input line", () => {
    expect(selectDialect("openai").toLine(chat)).toEqual({
      custom_id: "CALL-0001",
      method: "POST",
      url: "/v1/chat/completions",
      body: chat.body,
    });
  });

  it("anthropic: a Message Batches request with system moved out of messages", () => {
    expect(selectDialect("anthropic").toLine(chat)).toEqual({
      custom_id: "CALL-0001",
      params: {
        model: "claude-sonnet-4-5",
        max_tokens: 48,
        system: "Be brief.",
        messages: [{ role: "user", content: "Summarise: hello" }],
        temperature: 0,
      },
    });
  });

  it("bedrock: recordId + modelInput in the InvokeModel Messages format", () => {
    expect(selectDialect("bedrock").toLine(chat)).toEqual({
      recordId: "CALL-0001",
      modelInput: {
        anthropic_version: "bedrock-2023-05-31",
        max_tokens: 48,
        system: "Be brief.",
        messages: [{ role: "user", content: [{ type: "text", text: "Summarise: hello" }] }],
        temperature: 0,
      },
    });
  });

  it("omits system when the template has none", () => {
    const noSystem = {
      ...chat,
      body: { ...chat.body, messages: [chat.body.messages[1]!] },
    } as PreparedRequest;
    expect(selectDialect("anthropic").toLine(noSystem)).not.toHaveProperty("params.system");
    expect(selectDialect("bedrock").toLine(noSystem)).not.toHaveProperty("modelInput.system");
  });

  it("checks ids and templates per dialect", () => {
    expect(selectDialect("anthropic").checkCustomId("CALL-0001")).toBeNull();
    expect(selectDialect("anthropic").checkCustomId("call 1")).toMatch(/1-64 characters/);
    expect(selectDialect("anthropic").checkCustomId("x".repeat(65))).not.toBeNull();
    expect(selectDialect("openai").checkCustomId("call 1")).toBeNull();
    const t = (v: object) => compileTemplate(parseTemplateSpec(v, "t"));
    expect(() => selectDialect("anthropic").checkTemplate(t({ model: "c", user: "{{x}}" }))).toThrow(
      /max_tokens/,
    );
    expect(() =>
      selectDialect("bedrock").checkTemplate(
        t({ model: "c", user: "{{x}}", max_tokens: 5, response_format: { type: "json_object" } }),
      ),
    ).toThrow(/response_format/);
    expect(() => selectDialect("bedrock").checkTemplate(t({ model: "e", input: "{{x}}" }))).toThrow(/chat/);
    expect(() => selectDialect("openai").checkTemplate(t({ model: "e", input: "{{x}}" }))).not.toThrow();
  });
});
