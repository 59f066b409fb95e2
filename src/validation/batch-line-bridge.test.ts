import { describe, expect, it } from "vitest";
import { RouteTable } from "../routing/route-table.js";
import { parseBatchLine, parseBatchLineBytes } from "./batch-line.js";

const routes = new RouteTable([
  {
    name: "claude",
    models: ["claude-*"],
    backend: { type: "anthropic" },
    concurrency: 1,
    timeoutMs: 1,
    maxAttempts: 1,
  },
  {
    name: "gpt",
    models: ["gpt-*"],
    backend: { type: "openai", baseUrl: "http://x/v1" },
    concurrency: 1,
    timeoutMs: 1,
    maxAttempts: 1,
  },
]);
const line = (body: object) =>
  JSON.stringify({ custom_id: "a", method: "POST", url: "/v1/chat/completions", body });

describe("batch lines on a route that speaks another dialect", () => {
  it("accepts a body that bridges, keeping its exact text as the record's body", () => {
    const text = line({ model: "claude-3", messages: [{ role: "user", content: "hi" }], temperature: 0.5 });
    const record = parseBatchLine(text, 1, 0, "/v1/chat/completions", routes, new Set());
    expect(record).toMatchObject({ route: "claude", body: JSON.stringify(JSON.parse(text).body) });
  });

  it("fails a line whose body holds a field the route's backend cannot express, naming the field and route", () => {
    const text = line({ model: "claude-3", messages: [{ role: "user", content: "hi" }], n: 2 });
    for (const error of [
      parseBatchLine(text, 4, 0, "/v1/chat/completions", routes, new Set()),
      parseBatchLineBytes(Buffer.from(text), 4, 0, "/v1/chat/completions", routes, new Set()),
    ]) {
      expect(error).toMatchObject({ code: "unsupported_by_route", line: 4, param: "body.n" });
      expect((error as { message: string }).message).toMatch(
        /^Line 4: 'body\.n' must be 1: .*route 'claude'/,
      );
    }
  });

  it("does not look into bodies for a route that speaks the endpoint natively", () => {
    const text = line({ model: "gpt-4o", messages: [], n: 2, logprobs: true });
    expect(parseBatchLine(text, 1, 0, "/v1/chat/completions", routes, new Set())).toMatchObject({
      route: "gpt",
    });
  });
});
