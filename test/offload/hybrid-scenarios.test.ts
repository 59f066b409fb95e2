import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBatchApiClient } from "../../src/offload/create-batch-client.js";
import type { TestDocket } from "../support/test-docket.js";
import {
  jobEnded,
  listUsd,
  metricsShowRunning,
  PRICE,
  providerJobsView,
  startHybridDocket,
} from "./hybrid-harness.js";
import { finishedOf } from "./offload-harness.js";
import type { ProviderTarget } from "./provider-target.js";
import { bedrockTarget } from "./targets/bedrock-target.js";
import { PROVIDER_TARGETS } from "./targets/provider-targets.js";
import { testEngines } from "./test-engines.js";

const H = 3_600_000;
/** A window short enough to end inside the test, long enough to start in the batch lane. */
const WINDOW_MS = 60_000;
/** The fallback comes this long after the job starts. */
const FALLBACK_AFTER_MS = 6_000;

/**
 * Hybrid routing (issue 13) over every provider batch API: a Docket whose `auto` route pairs
 * the provider's batch API with its on-demand API runs jobs written to its store, and chooses,
 * per job, by the window, the provider's turnaround and `onlineFallbackBefore`.
 */
describe.each(PROVIDER_TARGETS)("hybrid routing over $kind", (kind) => {
  let target: ProviderTarget;
  const running: TestDocket[] = [];
  beforeEach(async () => {
    target = await kind.start();
  });
  afterEach(async () => {
    for (const d of running.splice(0)) await d.close();
    await target?.close();
  });

  it("runs a job with a 1 h window on-demand when the provider takes 2 h", async () => {
    const { docket, jobId } = await startHybridDocket(target, {
      auto: { turnaroundMs: 2 * H },
      job: { n: 20, windowMs: H },
    });
    running.push(docket);
    const job = await jobEnded(docket, jobId, 30_000);
    expect(job.status).toBe("completed");
    expect(job.tally).toEqual({ succeeded: 20, failed: 0, cancelled: 0, expired: 0 });
    expect((await providerJobsView(docket, jobId)).data).toEqual([]);
    expect(await target.jobsCreated()).toBe(0);
    expect(target.onlineRequests()).toBe(20);
  }, 60_000);

  it.each(testEngines())(
    "sends a job with room in its window to the provider's batch API, at the batch discount (%s)",
    async (engine) => {
      const { docket, jobId } = await startHybridDocket(target, {
        auto: { turnaroundMs: 1_000, onlineFallbackBeforeMs: 1_000 },
        engine,
        job: { n: 30 },
      });
      running.push(docket);
      const job = await jobEnded(docket, jobId, 60_000);
      expect(job.status).toBe("completed");
      expect(target.onlineRequests()).toBe(0);
      expect(await target.jobsCreated()).toBe(1);
      const sent = await target.sentPerRecord();
      expect([sent.size, [...sent.values()].every((n) => n === 1)]).toEqual([30, true]);
      const finished = await finishedOf(docket.docket.store, jobId);
      expect(finished.map((r) => r.customId)).toEqual(
        Array.from({ length: 30 }, (_, i) => target.customId(i)),
      );
      expect(finished.every((r) => r.state === "succeeded")).toBe(true);
      const view = await providerJobsView(docket, jobId);
      expect(view.data.map((p) => [p.status, p.records])).toEqual([["done", 30]]);
      expect(view.cost!.on_demand_usd).toBe(0);
      expect(view.usage.batch.output_tokens).toBeGreaterThan(0);
      expect(view.cost!.batch_usd).toBeCloseTo(listUsd(view.usage.batch) * PRICE.batchDiscount, 12);
      // Half price: what the discount saved equals what was paid.
      expect(view.cost!.saved_usd).toBeCloseTo(view.cost!.batch_usd, 12);
    },
    90_000,
  );

  it.each(testEngines())(
    "pulls back what stalls at the provider past onlineFallbackBefore and finishes it on-demand inside the window (%s)",
    async (engine) => {
      target.setFaults({ stall: true });
      const { docket, jobId } = await startHybridDocket(target, {
        auto: { turnaroundMs: 1_000, onlineFallbackBeforeMs: WINDOW_MS - FALLBACK_AFTER_MS },
        engine,
        job: { n: 10, windowMs: WINDOW_MS },
      });
      running.push(docket);
      // While the provider holds them, the metrics say so.
      await metricsShowRunning(docket, 10, 15_000);
      const job = await jobEnded(docket, jobId, WINDOW_MS);
      expect(job.status).toBe("completed");
      expect(job.tally).toEqual({ succeeded: 10, failed: 0, cancelled: 0, expired: 0 });
      expect(job.completedAt!).toBeLessThan(job.expiresAt);
      expect(target.onlineRequests()).toBe(10);
      const view = await providerJobsView(docket, jobId);
      expect(view.data.length).toBe(1);
      expect(view.cost!.batch_usd).toBe(0);
      expect(view.cost!.on_demand_usd).toBeGreaterThan(0);
      // Nothing of it was left at the provider: its job there is stopped, the late answers refused.
      const client = createBatchApiClient(target.batchBackend({}));
      try {
        const deadline = Date.now() + 10_000;
        let state = (await client.status(view.data[0]!.provider_job_id!)).state;
        while (state !== "cancelling" && state !== "cancelled" && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
          state = (await client.status(view.data[0]!.provider_job_id!)).state;
        }
        expect(["cancelling", "cancelled"]).toContain(state);
      } finally {
        await client.close();
      }
    },
    120_000,
  );
});

describe("hybrid routing over bedrock-batch: a remainder below minRecordsPerJob", () => {
  it("runs on-demand what is too few for a provider job once the window nears its end; the cost splits", async () => {
    const target = await bedrockTarget.start();
    const { docket, jobId } = await startHybridDocket(target, {
      auto: { turnaroundMs: 1_000, onlineFallbackBeforeMs: WINDOW_MS - FALLBACK_AFTER_MS },
      quotas: { maxRecordsPerJob: 100, minRecordsPerJob: 100 },
      job: { n: 150, windowMs: WINDOW_MS },
    });
    try {
      const job = await jobEnded(docket, jobId, WINDOW_MS);
      expect(job.status).toBe("completed");
      expect(job.completedAt!).toBeLessThan(job.expiresAt);
      const finished = await finishedOf(docket.docket.store, jobId);
      expect(finished.map((r) => r.customId)).toEqual(
        Array.from({ length: 150 }, (_, i) => target.customId(i)),
      );
      expect(finished.every((r) => r.state === "succeeded")).toBe(true);
      // 100 in one provider job; the 50 left waited for more, then ran on-demand.
      const view = await providerJobsView(docket, jobId);
      expect(view.data.map((p) => [p.status, p.records])).toEqual([["done", 100]]);
      expect(await target.jobsCreated()).toBe(1);
      expect(target.onlineRequests()).toBe(50);
      // The on-demand tokens at list price, the batch tokens at half of it.
      expect(view.usage.on_demand.output_tokens).toBeGreaterThan(0);
      expect(view.usage.batch.output_tokens).toBeGreaterThan(0);
      expect(view.cost!.on_demand_usd).toBeCloseTo(listUsd(view.usage.on_demand), 12);
      expect(view.cost!.batch_usd).toBeCloseTo(listUsd(view.usage.batch) * PRICE.batchDiscount, 12);
      expect(view.cost!.saved_usd).toBeCloseTo(view.cost!.batch_usd, 12);
    } finally {
      await docket.close();
      await target.close();
    }
  }, 90_000);
});
