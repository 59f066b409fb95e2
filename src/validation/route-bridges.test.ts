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
  it("refuses an endpoint a provider batch route does not take (no bridging there), naming the url", () => {
    const problem = checkRouteBridges("/v1/chat/completions", table.byName("claude-batch")!, table, chat);
    expect(problem).toMatchObject({ param: "url" });
    expect(problem!.message).toContain("no bridging on provider batch routes");
    expect(checkRouteBridges("/v1/messages", table.byName("claude-batch")!, table, chat)).toBeNull();
  });

  it("checks a line on an auto route against both its batch route and its on-demand route", () => {
    const auto = table.byName("claude-auto")!;
    // The on-demand (Anthropic) side could bridge chat, the batch side cannot: refused.
    expect(checkRouteBridges("/v1/chat/completions", auto, table, chat)).toMatchObject({ param: "url" });
    // Messages suit both sides.
    expect(checkRouteBridges("/v1/messages", auto, table, chat)).toBeNull();
  });
});
