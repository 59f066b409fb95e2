import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestDocket, type TestDocket } from "../support/test-docket.js";
import { bodiesById, repeatedLines, runBatch } from "./dedup-harness.js";

/**
 * Identical requests once on an on-demand route (issue 14, docs/dedup-and-cache.md): a real
 * `docket serve` (HTTP, SQLite) in front of the fake backend, driven with the official SDK.
 */
describe("dedup and the response cache on an on-demand route", () => {
  let t: TestDocket;
  beforeAll(async () => {
    t = await startTestDocket({
      route: { price: { inputPerMTok: 1, outputPerMTok: 2 } },
      tune: (c) => {
        c.dedup = {
          maxDistinctPerJob: 10_000,
          cache: {
            enabled: true,
            ttlMs: 3_600_000,
            maxEntries: 10_000,
            maxBytes: 64 * 1024 * 1024,
            maxEntryBytes: 65_536,
          },
        };
      },
    });
  });
  afterAll(() => t?.close());

  it("sends 100 requests for 1,000 lines of 100 bodies, then answers the same batch from the cache with none", async () => {
    const lines = repeatedLines(1000, 100);
    const first = await runBatch(t.openai, lines, { docket_dedup: true });
    expect(first.batch.status).toBe("completed");
    expect(first.batch.request_counts).toEqual({ total: 1000, completed: 1000, failed: 0 });
    expect(t.fake.stats().requests).toBe(100);
    expect(first.output.map((l) => l.custom_id)).toEqual(lines.map((_, i) => `r${i}`));
    // Each id has the answer of its body's one call, and the lines that did not make it say so.
    const byId = new Map(first.output.map((l) => [l.custom_id, l]));
    for (let i = 100; i < 1000; i++) {
      const line = byId.get(`r${i}`)!;
      const leader = byId.get(`r${i % 100}`)!;
      expect(line.response).toEqual(leader.response);
      expect(line.docket).toEqual({ deduplicated: true });
    }
    expect(first.output.slice(0, 100).every((l) => l.docket === undefined)).toBe(true);
    const usage = first.batch.usage!;
    expect(first.batch.dedup).toMatchObject({ dedup: true, deduplicated_requests: 900, cached_requests: 0 });
    expect(first.batch.dedup!.saved_input_tokens).toBe(9 * usage.input_tokens);
    expect(first.batch.dedup!.saved_output_tokens).toBe(9 * usage.output_tokens);
    expect(first.batch.dedup!.saved_usd).toBeCloseTo(
      (9 * usage.input_tokens + 18 * usage.output_tokens) / 1e6,
      9,
    );

    // Again, the cache on (the config's): no call at all, the same bodies, marked cached.
    const before = t.fake.stats().requests;
    const again = await runBatch(t.openai, lines);
    expect(again.batch.request_counts).toEqual({ total: 1000, completed: 1000, failed: 0 });
    expect(t.fake.stats().requests - before).toBe(0);
    expect(bodiesById(again.output)).toEqual(bodiesById(first.output));
    expect(again.output.every((l) => l.docket?.cached === true)).toBe(true);
    expect(again.batch.usage!.input_tokens).toBe(0);
    expect(again.batch.dedup).toMatchObject({
      cached_requests: 1000,
      deduplicated_requests: 0,
      saved_input_tokens: 10 * usage.input_tokens,
      saved_output_tokens: 10 * usage.output_tokens,
    });
  });

  it("never deduplicates or caches a request at temperature 1 without a seed", async () => {
    const lines = repeatedLines(200, 10, '"temperature":1');
    const before = t.fake.stats().requests;
    const first = await runBatch(t.openai, lines, { docket_dedup: true });
    expect(first.batch.request_counts).toEqual({ total: 200, completed: 200, failed: 0 });
    expect(t.fake.stats().requests - before).toBe(200);
    expect(first.output.every((l) => l.docket === undefined)).toBe(true);
    expect(first.batch.dedup).toMatchObject({ deduplicated_requests: 0, cached_requests: 0 });
    const again = await runBatch(t.openai, lines, { docket_dedup: true });
    expect(t.fake.stats().requests - before).toBe(400);
    expect(again.batch.dedup).toMatchObject({ deduplicated_requests: 0, cached_requests: 0 });
    const cache = await t.docket.store.cacheSize();
    expect(cache.entries).toBe(100);
  });

  it("takes a seed as deterministic, and a batch can turn the cache off for itself", async () => {
    const lines = repeatedLines(50, 5, '"temperature":0.7,"seed":42');
    const before = t.fake.stats().requests;
    const run = await runBatch(t.openai, lines, { docket_dedup: true, docket_cache: false });
    expect(t.fake.stats().requests - before).toBe(5);
    expect(run.batch.dedup).toMatchObject({
      dedup: true,
      cache: false,
      deduplicated_requests: 45,
      cached_requests: 0,
    });
    // Nothing of it went into the cache: run again with the cache, every line is sent (once per body).
    const again = await runBatch(t.openai, lines, { docket_dedup: true });
    expect(t.fake.stats().requests - before).toBe(10);
    expect(again.batch.dedup).toMatchObject({ deduplicated_requests: 45, cached_requests: 0 });
  });
});
