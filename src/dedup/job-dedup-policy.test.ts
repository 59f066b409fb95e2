import { describe, expect, it } from "vitest";
import type { RouteConfig } from "../config/config.js";
import { DEFAULT_DEDUP_CONFIG } from "../config/dedup-config.js";
import type { Job } from "../domain/job.js";
import { RouteTable } from "../routing/route-table.js";
import { jobDedupPolicy } from "./job-dedup-policy.js";

const route = (name: string, over: Partial<RouteConfig> = {}): RouteConfig => ({
  name,
  models: [name],
  backend: { type: "openai", baseUrl: "http://x" },
  concurrency: 1,
  timeoutMs: 1,
  maxAttempts: 1,
  ...over,
});
const job = (dedup: boolean | null, cache: boolean | null) =>
  ({ projectId: "p", endpoint: "/v1/chat/completions", dedup: { dedup, cache } }) as unknown as Job;
const settings = (routes: RouteConfig[], cacheOn = false) => ({
  config: { ...DEFAULT_DEDUP_CONFIG, cache: { ...DEFAULT_DEDUP_CONFIG.cache, enabled: cacheOn } },
  routes: new RouteTable(routes),
  pricing: () => ({ inputPerMTok: 1, outputPerMTok: 2 }),
});

describe("jobDedupPolicy", () => {
  it("is null when neither dedup nor the cache applies anywhere", () => {
    expect(jobDedupPolicy(job(null, null), settings([route("a")]))).toBeNull();
    expect(jobDedupPolicy(job(false, null), settings([route("a", { dedup: true })]))).toBeNull();
    expect(jobDedupPolicy(job(null, false), settings([route("a")], true))).toBeNull();
  });

  it("takes the job's dedup over its routes', and the cache from the route, else the config", () => {
    const routes = [route("a", { dedup: true }), route("b", { cache: true }), route("c", { cache: false })];
    const byRoute = jobDedupPolicy(job(null, null), settings(routes))!;
    expect(["a", "b", "c"].map(byRoute.dedupFor)).toEqual([true, false, false]);
    expect(["a", "b", "c"].map(byRoute.cacheFor)).toEqual([false, true, false]);
    const asked = jobDedupPolicy(job(true, null), settings(routes, true))!;
    expect(["a", "b", "c"].map(asked.dedupFor)).toEqual([true, true, true]);
    expect(["a", "b", "c"].map(asked.cacheFor)).toEqual([true, true, false]);
    // A job cannot turn on a cache the operator did not.
    expect(jobDedupPolicy(job(null, true), settings([route("a")]))).toBeNull();
    expect(asked.priceOf("m")).toEqual({ inputPerMTok: 1, outputPerMTok: 2 });
    expect(asked.priceOf(null)).toBeNull();
  });
});
