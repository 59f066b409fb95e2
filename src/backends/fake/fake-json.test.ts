import { describe, expect, it } from "vitest";
import { type FakeRequest, isRequestError, parseFakeRequest } from "./fake-requests.js";
import { fakeResponseBody, type ResponseContext } from "./fake-responses.js";

const ctx: ResponseContext = { idSuffix: "abc1", created: 1_700_000_000, outputTokens: 12, embeddingDim: 8 };

function chat(body: Record<string, unknown>): FakeRequest {
  const parsed = parseFakeRequest("chat", JSON.stringify({ model: "m", ...body }));
  if (isRequestError(parsed)) throw new Error(parsed.message);
  return parsed;
}

const schema = {
  type: "json_schema",
  json_schema: {
    name: "summary",
    schema: {
      type: "object",
      properties: { issue: { type: "string" }, sentiment: { type: "string" }, score: { type: "integer" } },
    },
  },
};

describe("fake structured outputs", () => {
  it("answers a json_schema request with a JSON object of the schema's fields", () => {
    const req = chat({ messages: [{ role: "user", content: "call 1" }], response_format: schema });
    expect(req.jsonSchemaProperties).toEqual({ issue: "string", sentiment: "string", score: "integer" });
    const body = JSON.parse(fakeResponseBody(req, ctx));
    const content = JSON.parse(body.choices[0].message.content);
    expect(Object.keys(content)).toEqual(["issue", "sentiment", "score"]);
    expect(typeof content.issue).toBe("string");
    expect(Number.isInteger(content.score)).toBe(true);
    expect(body.usage.completion_tokens).toBe(12);
    // Same prompt, same answer; another prompt, another answer.
    expect(fakeResponseBody(req, ctx)).toBe(fakeResponseBody(req, ctx));
    const other = chat({ messages: [{ role: "user", content: "call 2" }], response_format: schema });
    expect(JSON.parse(fakeResponseBody(other, ctx)).choices[0].message.content).not.toBe(
      body.choices[0].message.content,
    );
  });

  it("keeps plain text for other response formats", () => {
    const req = chat({
      messages: [{ role: "user", content: "hi" }],
      response_format: { type: "json_object" },
    });
    expect(req.jsonSchemaProperties).toBeNull();
    const content = JSON.parse(fakeResponseBody(req, ctx)).choices[0].message.content as string;
    expect(content.split(" ")).toHaveLength(12);
  });
});
