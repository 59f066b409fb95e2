import { describe, expect, it } from "vitest";
import { RouteTable } from "../routing/route-table.js";
import { parseBatchLine } from "./batch-line.js";

const routes = new RouteTable([
  {
    name: "gpt",
    models: ["gpt-*"],
    backend: { type: "openai", baseUrl: "http://x/v1" },
    concurrency: 1,
    timeoutMs: 1,
    maxAttempts: 1,
  },
]);
const line = (o: unknown) => JSON.stringify(o);
const good = {
  custom_id: "a",
  method: "POST",
  url: "/v1/chat/completions",
  body: { model: "gpt-4o", messages: [] },
};
const parse = (text: string, seen = new Set<string>()) =>
  parseBatchLine(text, 7, 3, "/v1/chat/completions", routes, seen);

describe("parseBatchLine", () => {
  it("turns a good line into a record routed by model", () => {
    expect(parse(line(good))).toEqual({
      position: 3,
      line: 7,
      customId: "a",
      route: "gpt",
      body: JSON.stringify(good.body),
    });
  });

  it.each([
    ["{not json", "invalid_json", null],
    ["[1]", "invalid_request", null],
    [line({ ...good, custom_id: "" }), "missing_required_parameter", "custom_id"],
    [line({ ...good, method: "GET" }), "invalid_method", "method"],
    [line({ ...good, url: "/v1/embeddings" }), "mismatched_endpoint", "url"],
    [line({ ...good, body: "x" }), "invalid_body", "body"],
    [line({ ...good, body: { messages: [] } }), "missing_required_parameter", "body.model"],
    [line({ ...good, body: { model: "claude-3" } }), "model_not_found", "body.model"],
  ])("reports %s as %s with its line number", (text, code, param) => {
    const r = parse(text);
    expect(r).toMatchObject({ code, param, line: 7 });
    expect((r as { message: string }).message).toMatch(/^Line 7: /);
  });

  it("rejects a custom_id seen before", () => {
    const seen = new Set<string>();
    expect(parse(line(good), seen)).toHaveProperty("customId");
    expect(parse(line(good), seen)).toMatchObject({ code: "duplicate_custom_id" });
  });
});
