import { describe, expect, it } from "vitest";
import type { RouteConfig } from "../config/config.js";
import { RouteTable } from "../routing/route-table.js";
import { checkRouteBridges } from "./route-bridges.js";

const base = { concurrency: 1, timeoutMs: 1, maxAttempts: 1 };
const table = new RouteTable([
  { ...base, name: "claude-batch", models: [], backend: { type: "anthropic-batch" } },
  { ...base, name: "gpt-online", models: [], backend: { type: "openai", baseUrl: "http://x/v1" } },
  { ...base, name: "claude-online", models: [], backend: { type: "anthropic" } },
  {
    ...base,
    name: "claude-auto",
    models: ["claude-*"],
    backend: { type: "auto", batchRoute: "claude-batch", onlineRoute: "claude-online" },
  },
] as unknown as RouteConfig[]);
const chat = JSON.stringify({
  model: "claude-3",
  max_tokens: 5,
  messages: [{ role: "user", content: "hi" }],
});

describe("checkRouteBridges", () => {
  it("accepts what bridges into a provider batch route's dialect and names what does not", () => {
    const batch = table.byName("claude-batch")!;
    expect(checkRouteBridges("/v1/chat/completions", batch, table, chat)).toBeNull();
    expect(checkRouteBridges("/v1/messages", batch, table, chat)).toBeNull();
    // A field Anthropic Messages cannot express fails the line, naming the field.
    const logprobs = JSON.stringify({ ...JSON.parse(chat), logprobs: true });
    expect(checkRouteBridges("/v1/chat/completions", batch, table, logprobs)).toMatchObject({
      param: "body.logprobs",
    });
    // No bridge from embeddings into Messages: the url is the problem.
    expect(checkRouteBridges("/v1/embeddings", batch, table, '{"model":"m","input":"x"}')).toMatchObject({
      param: "url",
    });
  });

  it("checks a line on an auto route against both its batch route and its on-demand route", () => {
    const auto = table.byName("claude-auto")!;
    // Both sides speak Messages: chat bridges to each.
    expect(checkRouteBridges("/v1/chat/completions", auto, table, chat)).toBeNull();
    expect(checkRouteBridges("/v1/messages", auto, table, chat)).toBeNull();
    expect(checkRouteBridges("/v1/embeddings", auto, table, '{"model":"m","input":"x"}')).toMatchObject({
      param: "url",
    });
  });
});
