import { describe, expect, it } from "vitest";
import type { RouteConfig } from "../config/config.js";
import { parseProjectsConfig } from "../config/projects-config.js";
import { ProjectRouteGates } from "./project-route-gates.js";

const route: RouteConfig = {
  name: "r",
  models: ["*"],
  backend: { type: "openai", baseUrl: "http://127.0.0.1:1" },
  concurrency: 16,
  rpm: 6000,
  timeoutMs: 1000,
  maxAttempts: 1,
};

describe("project route gates", () => {
  const gates = () =>
    new ProjectRouteGates(parseProjectsConfig({ a: { routes: { r: { rpm: 60, concurrency: 2 } } } }));

  it("has no gate for a project or route without a ceiling", () => {
    const g = gates();
    expect(g.any).toBe(true);
    expect(g.of(route, "b")).toBeNull();
    expect(g.of({ ...route, name: "other" }, "a")).toBeNull();
    expect(new ProjectRouteGates(undefined).any).toBe(false);
  });

  it("holds the project's rpm (not the route's) and gives a refund back", () => {
    const gate = gates().of(route, "a")!;
    const now = 1_000_000;
    // One request a second (the route's 6000/min would let 100 go now): the next waits 1 s.
    expect(gate.tryStart(0, now)).toBe(0);
    expect(gate.tryStart(0, now)).toBe(1000);
    gate.refund(0, now);
    expect(gate.tryStart(0, now)).toBe(0);
  });

  it("holds the project's concurrency until one finishes", () => {
    const gate = gates().of(route, "a")!;
    gate.inFlight = 2;
    expect(gate.tryStart(0, 0)).toBe(Number.POSITIVE_INFINITY);
    gate.inFlight = 1;
    expect(gate.tryStart(0, 0)).toBe(0);
  });

  it("takes this process's share of the project's rpm", () => {
    const g = gates();
    g.setShare(0.5);
    const gate = g.of(route, "a")!;
    const now = 1_000_000;
    expect(gate.tryStart(0, now)).toBe(0);
    // 30/min: the next one is 2 s out.
    expect(gate.tryStart(0, now)).toBe(2000);
  });
});
