import { describe, expect, it } from "vitest";
import { compileTemplate } from "./template/compile-template.js";
import { parseTemplateSpec } from "./template/template-spec.js";
import { countRequestTokens } from "./tokens/request-tokens.js";
import { TiktokenCounter } from "./tokens/tiktoken-counter.js";
import { fitToContext } from "./validate.js";

const counter = new TiktokenCounter("o200k_base");
const template = compileTemplate(
  parseTemplateSpec(
    { model: "gpt-4o", system: "Summarise.", user: "Call: {{transcript}}", max_tokens: 40 },
    "t",
  ),
);
const transcript = "The customer asked about a refund for a duplicate charge on the March bill. ".repeat(20);

function check(contextLength: number | null, policy: "reject" | "truncate") {
  const fields = { transcript };
  const rendered = template.render(fields);
  if (!rendered.ok) throw new Error("render");
  return fitToContext({
    fields,
    payload: rendered.payload,
    inputTokens: countRequestTokens(rendered.payload, counter),
    template,
    counter,
    contextLength,
    policy: policy === "reject" ? { kind: "reject" } : { kind: "truncate", field: "transcript" },
  });
}

describe("fitToContext", () => {
  const full = check(null, "reject");
  const needed = full.ok ? full.inputTokens + 40 : 0;

  it("passes a request that fits, or when the context is unknown", () => {
    expect(full.ok && !full.truncated).toBe(true);
    expect(check(needed, "reject")).toMatchObject({ ok: true, truncated: false });
  });

  it("rejects one token over the limit", () => {
    const r = check(needed - 1, "reject");
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toContain(`= ${needed}, over the context length of ${needed - 1}`);
  });

  it("truncates the field so the recounted request fits", () => {
    const limit = Math.floor(needed / 2);
    const r = check(limit, "truncate");
    if (!r.ok) throw new Error(r.message);
    expect(r.truncated).toBe(true);
    expect(r.inputTokens).toBe(countRequestTokens(r.payload, counter));
    expect(r.inputTokens + 40).toBeLessThanOrEqual(limit);
    // It cuts no more than needed: a few tokens of slack at most.
    expect(r.inputTokens + 40).toBeGreaterThan(limit - 5);
    const content = r.payload.endpoint === "/v1/chat/completions" ? r.payload.body.messages[1]!.content : "";
    expect(`Call: ${transcript}`.startsWith(content)).toBe(true);
  });

  it("rejects when even an empty field cannot fit", () => {
    const r = check(30, "truncate");
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/cannot make it fit/);
  });
});
