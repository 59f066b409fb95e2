import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providerBatchRoute } from "../support/provider-batch-route.js";
import { startTestDocket, type TestDocket } from "../support/test-docket.js";
import { bodiesById, repeatedLines, runBatch } from "./dedup-harness.js";

/**
 * Identical requests once on a provider batch route (issue 14 on top of issue 13): Docket sends
 * its records through the OpenAI Batch API of a second Docket (the provider, over the fake
 * model). Only leaders are packed into provider jobs; followers and cache hits never leave.
 */
describe("dedup and the response cache on an openai-batch route", () => {
  let provider: TestDocket;
  let docket: TestDocket;
  beforeAll(async () => {
    provider = await startTestDocket({ route: { maxAttempts: 1 } });
    docket = await startTestDocket({
      tune: (c) => {
        c.routes = [providerBatchRoute(provider, { dedup: true, cache: true })];
      },
    });
  });
  afterAll(async () => {
    await docket?.close();
    await provider?.close();
  });

  it("packs 100 leaders for 1,000 lines, then runs the same batch from the cache without a provider job", async () => {
    const lines = repeatedLines(1000, 100);
    // The route dedups: the batch asks for nothing.
    const first = await runBatch(docket.openai, lines);
    expect(first.batch.request_counts).toEqual({ total: 1000, completed: 1000, failed: 0 });
    expect(provider.fake.stats().requests).toBe(100);
    const sent = (await provider.openai.batches.list({ limit: 100 })).data;
    expect(sent.reduce((n, b) => n + (b.request_counts?.total ?? 0), 0)).toBe(100);
    expect(first.output).toHaveLength(1000);
    expect(first.output.filter((l) => l.docket?.deduplicated).length).toBe(900);
    expect(first.batch.dedup).toMatchObject({ dedup: null, deduplicated_requests: 900 });

    const again = await runBatch(docket.openai, lines);
    expect(provider.fake.stats().requests).toBe(100);
    expect((await provider.openai.batches.list({ limit: 100 })).data).toHaveLength(sent.length);
    expect(bodiesById(again.output)).toEqual(bodiesById(first.output));
    expect(again.batch.dedup).toMatchObject({ cached_requests: 1000 });
  });
});
