import { describe, expect, it } from "vitest";
import {
  checkProjectRoutes,
  parseProjectsConfig,
  projectLimits,
  projectRouteLimits,
  projectWeights,
} from "./projects-config.js";

describe("projects config", () => {
  it("merges a project's own limits over the '*' defaults", () => {
    const projects = parseProjectsConfig({
      "*": { maxConcurrentJobs: 5, requestsPerMinute: 600, weight: 2 },
      "team-a": { maxConcurrentJobs: 50, maxStoredBytes: 1024 },
    });
    expect(projectLimits(projects, "team-a")).toEqual({
      maxConcurrentJobs: 50,
      requestsPerMinute: 600,
      weight: 2,
      maxStoredBytes: 1024,
    });
    expect(projectLimits(projects, "other")).toEqual({
      maxConcurrentJobs: 5,
      requestsPerMinute: 600,
      weight: 2,
    });
    expect(projectLimits(undefined, "other")).toEqual({});
  });

  it("lists the weights set and the default for the rest", () => {
    expect(projectWeights(parseProjectsConfig({ "*": { weight: 2 }, a: { weight: 0.5 }, b: {} }))).toEqual({
      byProject: { a: 0.5 },
      defaultWeight: 2,
    });
    expect(projectWeights(undefined)).toEqual({ byProject: {}, defaultWeight: 1 });
  });

  it.each([
    [[], /projects must be an object/],
    [{ a: 3 }, /projects\["a"\] must be an object of limits/],
    [{ "a b": {} }, /projects\["a b"\]: a project id/],
    [
      { a: { maxQueuedRecords: 0 } },
      /projects\["a"\]\.maxQueuedRecords must be a positive integer \(got 0\)/,
    ],
    [{ a: { maxStoredBytes: 1.5 } }, /maxStoredBytes must be a positive integer \(got 1.5\)/],
    [{ a: { requestsPerMinute: "10" } }, /requestsPerMinute must be a positive integer \(got "10"\)/],
    [{ "*": { weight: 0 } }, /projects\["\*"\]\.weight must be a number above 0/],
    [{ a: { maxJobs: 3 } }, /projects\["a"\]\.maxJobs is not a project limit/],
    [{ a: { routes: [] } }, /projects\["a"\]\.routes must be an object/],
    [{ a: { routes: { r: { rpm: 0 } } } }, /projects\["a"\]\.routes\["r"\]\.rpm must be a positive integer/],
    [{ a: { routes: { r: { rps: 1 } } } }, /projects\["a"\]\.routes\["r"\]\.rps is not a route limit/],
  ])("refuses %j", (raw, message) => {
    expect(() => parseProjectsConfig(raw)).toThrow(message);
  });

  it("merges route ceilings per route and field, '*' first", () => {
    const projects = parseProjectsConfig({
      "*": { routes: { r: { rpm: 60, concurrency: 4 }, s: { tpm: 1000 } } },
      a: { routes: { r: { rpm: 600 } } },
    });
    expect(projectRouteLimits(projects, "a", "r")).toEqual({ rpm: 600, concurrency: 4 });
    expect(projectRouteLimits(projects, "b", "s")).toEqual({ tpm: 1000 });
    expect(projectRouteLimits(projects, "a", "t")).toBeNull();
    expect(projectRouteLimits(undefined, "a", "r")).toBeNull();
  });

  it("refuses a route ceiling on a route the config does not have, naming it", () => {
    const projects = parseProjectsConfig({ a: { routes: { gtp: { rpm: 1 } } } });
    expect(() => checkProjectRoutes(projects, ["gpt"])).toThrow(
      /projects\["a"\]\.routes\["gtp"\]: no route is named "gtp"; routes: gpt/,
    );
    expect(() => checkProjectRoutes(projects, ["gtp"])).not.toThrow();
  });
});
