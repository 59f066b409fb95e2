import { describe, expect, it } from "vitest";
import { DEFAULT_DEDUP_CONFIG, dedupConfig, parseDedupConfig, routeDedupFlag } from "./dedup-config.js";

describe("dedup config", () => {
  it("fills defaults under what the file gives", () => {
    const c = parseDedupConfig({ cache: { enabled: true, ttlMs: 60_000 } });
    expect(c.cache).toEqual({ ...DEFAULT_DEDUP_CONFIG.cache, enabled: true, ttlMs: 60_000 });
    expect(c.maxDistinctPerJob).toBe(DEFAULT_DEDUP_CONFIG.maxDistinctPerJob);
    expect(parseDedupConfig({ maxDistinctPerJob: 5 }).maxDistinctPerJob).toBe(5);
    expect(dedupConfig({})).toBe(DEFAULT_DEDUP_CONFIG);
    // The defaults are never changed by a parse.
    expect(DEFAULT_DEDUP_CONFIG.cache.enabled).toBe(false);
  });

  it("names the field that is wrong", () => {
    expect(() => parseDedupConfig([])).toThrow("dedup must be an object");
    expect(() => parseDedupConfig({ cache: { enabled: "yes" } })).toThrow(
      "dedup.cache.enabled must be true or false",
    );
    expect(() => parseDedupConfig({ cache: { maxBytes: 0 } })).toThrow(
      "dedup.cache.maxBytes must be a positive integer",
    );
    expect(() => parseDedupConfig({ cache: { size: 1 } })).toThrow("dedup.cache.size is not a known setting");
    expect(() => parseDedupConfig({ ttl: 1 })).toThrow("dedup.ttl is not a known setting");
    expect(() => routeDedupFlag(1, "routes[0].dedup")).toThrow("routes[0].dedup must be true or false");
    expect(routeDedupFlag(undefined, "x")).toBeUndefined();
    expect(routeDedupFlag(false, "x")).toBe(false);
  });
});
