import { describe, expect, it } from "vitest";
import type { RouteConfig } from "../config/config.js";
import { resolveContextLength } from "./context-lengths.js";

const route = (models: string[], contextLength?: number): RouteConfig => ({
  name: "r",
  models,
  backend: { type: "openai", baseUrl: "http://127.0.0.1:1" },
  concurrency: 1,
  timeoutMs: 1000,
  maxAttempts: 1,
  contextLength,
});

describe("resolveContextLength", () => {
  it("prefers the explicit value, then the route, then the table", () => {
    expect(resolveContextLength("gpt-4o", 1000, [route(["*"], 2000)])).toEqual({
      tokens: 1000,
      source: "option",
    });
    expect(resolveContextLength("gpt-4o", undefined, [route(["gpt-*"], 2000)])).toEqual({
      tokens: 2000,
      source: "route",
    });
    expect(resolveContextLength("gpt-4o-mini", undefined, [route(["*"])])).toEqual({
      tokens: 128_000,
      source: "table",
    });
  });

  it("matches the more specific prefix first", () => {
    expect(resolveContextLength("gpt-4-turbo-2024-04-09").tokens).toBe(128_000);
    expect(resolveContextLength("gpt-4-0613").tokens).toBe(8_192);
    expect(resolveContextLength("o1-mini").tokens).toBe(128_000);
    expect(resolveContextLength("claude-sonnet-4-5").tokens).toBe(200_000);
  });

  it("says unknown for a local model without a route length", () => {
    expect(resolveContextLength("local-dummy")).toEqual({ tokens: null, source: "unknown" });
  });
});
