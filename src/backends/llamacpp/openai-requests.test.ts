import { describe, expect, it } from "vitest";
import { parseRequest } from "./openai-requests.js";

const chat = (extra: Record<string, unknown>) =>
  parseRequest(
    "/v1/chat/completions",
    JSON.stringify({ messages: [{ role: "user", content: "hi" }], ...extra }),
  );

describe("parseRequest", () => {
  it("reads chat fields, preferring max_completion_tokens and mapping developer to system", () => {
    const r = parseRequest(
      "/v1/chat/completions",
      JSON.stringify({
        model: "m",
        messages: [
          {
            role: "developer",
            content: [
              { type: "text", text: "be " },
              { type: "text", text: "brief" },
            ],
          },
          { role: "user", content: "hi" },
        ],
        max_tokens: 5,
        max_completion_tokens: 7,
        temperature: 0,
        top_p: 0.5,
        seed: 4,
        stop: "END",
      }),
    );
    expect(r).toEqual({
      ok: true,
      request: {
        kind: "chat",
        model: "m",
        messages: [
          { role: "system", content: "be brief" },
          { role: "user", content: "hi" },
        ],
        sampling: { temperature: 0, topP: 0.5, seed: 4 },
        maxTokens: 7,
        stop: ["END"],
        ignoreEos: false,
      },
    });
  });

  it("defaults sampling to OpenAI's temperature 1 and top_p 1", () => {
    const r = chat({});
    expect(r.ok && r.request.kind === "chat" && r.request.sampling).toEqual({
      temperature: 1,
      topP: 1,
      seed: null,
    });
  });

  it.each([
    [{ stream: true }, "stream"],
    [{ n: 2 }, "n"],
    [{ tools: [] }, "tools"],
    [{ max_tokens: 0 }, "max_tokens"],
    [{ temperature: 3 }, "temperature"],
    [{ stop: ["a", "b", "c", "d", "e"] }, "stop"],
    [{ messages: [{ role: "tool", content: "x" }] }, "messages[0].role"],
    [{ messages: [{ role: "user", content: [{ type: "image_url" }] }] }, "messages[0].content"],
  ])("refuses %j naming the parameter", (extra, param) => {
    const r = chat(extra);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.param).toBe(param);
  });

  it("reads completions and embeddings, refusing several prompts", () => {
    expect(parseRequest("/v1/completions", JSON.stringify({ prompt: ["one"] }))).toMatchObject({
      ok: true,
      request: { kind: "completion", prompt: "one", maxTokens: null },
    });
    expect(parseRequest("/v1/completions", JSON.stringify({ prompt: ["a", "b"] }))).toMatchObject({
      ok: false,
    });
    expect(
      parseRequest("/v1/embeddings", JSON.stringify({ input: "x", encoding_format: "base64" })),
    ).toMatchObject({
      ok: true,
      request: { kind: "embeddings", inputs: ["x"], encoding: "base64", dimensions: null },
    });
  });

  it("refuses unknown endpoints and non-object bodies", () => {
    expect(parseRequest("/v1/audio/speech", "{}")).toMatchObject({ ok: false, param: null });
    expect(parseRequest("/v1/completions", "[1]")).toMatchObject({
      ok: false,
      message: "The request body must be a JSON object.",
    });
  });
});
