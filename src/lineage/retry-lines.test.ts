import { describe, expect, it } from "vitest";
import type { FinishedRecord } from "../domain/record.js";
import { retryLineAround } from "./retry-lines.js";

const r = (customId: string, customIdJson: string | null = null): FinishedRecord => ({
  id: 7,
  position: 3,
  customId,
  customIdJson,
  state: "failed",
  response: null,
  error: null,
});

describe("retryLineAround", () => {
  it("writes each format's own input line around the body", () => {
    const body = '{"model":"m","max_tokens":5}';
    const line = (format: "openai" | "anthropic" | "bedrock") => {
      const [head, tail] = retryLineAround(format, "/v1/chat/completions", r("req-1"));
      return head + body + tail;
    };
    expect(line("openai")).toBe(
      `{"custom_id":"req-1","method":"POST","url":"/v1/chat/completions","body":${body}}\n`,
    );
    expect(line("anthropic")).toBe(`{"custom_id":"req-1","params":${body}}\n`);
    expect(line("bedrock")).toBe(`{"recordId":"req-1","modelInput":${body}}\n`);
    for (const f of ["openai", "anthropic", "bedrock"] as const)
      expect(() => JSON.parse(line(f))).not.toThrow();
  });

  it("keeps the custom id's literal as the parent's input wrote it", () => {
    const [head] = retryLineAround("openai", "/v1/embeddings", r("é", '"\\u00e9"'));
    expect(head).toBe('{"custom_id":"\\u00e9","method":"POST","url":"/v1/embeddings","body":');
  });
});
