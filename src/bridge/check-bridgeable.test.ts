import { describe, expect, it } from "vitest";
import { checkBridgeable } from "./check-bridgeable.js";

const claude = { name: "claude", backend: { type: "anthropic" } };

describe("checkBridgeable", () => {
  it("passes native bodies without reading them (even invalid ones: the backend's dialect, the backend's call)", () => {
    expect(checkBridgeable("/v1/messages", claude, "not json")).toBeNull();
  });

  it("passes a body that translates, given as text or bytes", () => {
    const body = JSON.stringify({ model: "c", messages: [{ role: "user", content: "hi" }] });
    expect(checkBridgeable("/v1/chat/completions", claude, body)).toBeNull();
    expect(checkBridgeable("/v1/chat/completions", claude, Buffer.from(body))).toBeNull();
  });

  it("names the body field, the route and its backend", () => {
    const body = JSON.stringify({ model: "c", messages: [{ role: "user", content: "hi" }], logprobs: true });
    const problem = checkBridgeable("/v1/chat/completions", claude, body);
    expect(problem?.param).toBe("body.logprobs");
    expect(problem?.message).toMatch(
      /^'body\.logprobs' must be false: log probabilities cannot be expressed in Anthropic Messages\./,
    );
    expect(problem?.message).toContain("route 'claude', backend type anthropic");
  });

  it("names nested fields with their path", () => {
    const body = JSON.stringify({
      model: "c",
      messages: [{ role: "user", content: [{ type: "text", text: "x", cache_control: {} }] }],
      max_tokens: 5,
    });
    const problem = checkBridgeable("/v1/messages", { name: "gpt", backend: { type: "openai" } }, body);
    expect(problem?.param).toBe("body.messages[0].content[0].cache_control");
  });

  it("names the url when the endpoint has no bridge to the backend", () => {
    const problem = checkBridgeable("/v1/embeddings", claude, "{}");
    expect(problem?.param).toBe("url");
    expect(problem?.message).toContain("/v1/embeddings cannot be bridged to route 'claude'");
  });
});
