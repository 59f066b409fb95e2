import { describe, expect, it } from "vitest";
import type { RouteConfig } from "../config/config.js";
import { routesForJob } from "./pinned-route.js";
import { RouteTable } from "./route-table.js";

const route = (name: string, models: string[]): RouteConfig =>
  ({ name, models, backend: { type: "openai", baseUrl: "http://x/v1" } }) as unknown as RouteConfig;

describe("routesForJob", () => {
  const table = new RouteTable([route("gpt", ["gpt-*"]), route("cheap", ["cheap-*"])]);

  it("resolves by model when nothing is pinned", () => {
    expect(routesForJob(table, null)).toBe(table);
    expect(routesForJob(table, undefined).resolve("gpt-4o")?.name).toBe("gpt");
  });

  it("sends every model to the pinned route, which keeps its own settings", () => {
    const pinned = routesForJob(table, "cheap");
    expect(pinned.resolve("gpt-4o")?.name).toBe("cheap");
    expect(pinned.resolve("anything")?.name).toBe("cheap");
    expect(pinned.byName("gpt")?.name).toBe("gpt");
    expect(pinned.byName("cheap")?.backend).toEqual(table.byName("cheap")?.backend);
  });

  it("serves nothing when the pinned route is gone from the config", () => {
    expect(routesForJob(table, "removed").resolve("gpt-4o")).toBeUndefined();
  });
});
