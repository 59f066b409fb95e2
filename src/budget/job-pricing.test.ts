import { describe, expect, it } from "vitest";
import type { RouteConfig } from "../config/config.js";
import { routePricing, tablePricing } from "./job-pricing.js";

const route = (name: string, models: string[], price?: RouteConfig["price"]): RouteConfig => ({
  name,
  models,
  backend: { type: "openai", baseUrl: "http://127.0.0.1:1/v1" },
  concurrency: 1,
  timeoutMs: 1,
  maxAttempts: 1,
  ...(price ? { price } : {}),
});

describe("job pricing", () => {
  it("prefers the route's own price, then the built-in table", () => {
    const pricing = routePricing([
      route("local", ["local-*"], { inputPerMTok: 0.01, outputPerMTok: 0.02, batchDiscount: 0.5 }),
      route("openai", ["gpt-*"]),
    ]);
    expect(pricing("local-dummy")).toEqual({ inputPerMTok: 0.01, outputPerMTok: 0.02 });
    expect(pricing("gpt-4o-mini")).toEqual({ inputPerMTok: 0.15, outputPerMTok: 0.6 });
    expect(pricing("mystery-model")).toBeNull();
  });

  it("lets overrides come before the built-in table", () => {
    const pricing = tablePricing([{ model: "gpt-4o*", inputPerMTok: 1, outputPerMTok: 2, batchDiscount: 0 }]);
    expect(pricing("gpt-4o-mini")).toEqual({ inputPerMTok: 1, outputPerMTok: 2 });
  });
});

describe("batch discount", () => {
  it("comes from the route the model resolves to, then the table, else none", () => {
    const pricing = routePricing([
      route("local", ["local-*"], { inputPerMTok: 0.01, outputPerMTok: 0.02, batchDiscount: 0.4 }),
      route("plain", ["plain-*"], { inputPerMTok: 1, outputPerMTok: 2 }),
      route("openai", ["gpt-*"]),
    ]);
    expect(pricing.batchDiscount?.("local-x")).toBe(0.4);
    expect(pricing.batchDiscount?.("plain-x")).toBe(0);
    expect(pricing.batchDiscount?.("gpt-4o-mini")).toBe(0.5);
    expect(pricing.batchDiscount?.("mystery-model")).toBe(0);
  });
});
