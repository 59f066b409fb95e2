import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBatchApiClient } from "../../src/offload/create-batch-client.js";
import type { TestDocket } from "../support/test-docket.js";
import {
  jobEnded,
  listUsd,
  metricsShowRunning,
  PRICE,
  providerJobsView,
  runWindowDownTo,
  startHybridDocket,
} from "./hybrid-harness.js";
import { finishedOf } from "./offload-harness.js";
import type { ProviderTarget } from "./provider-target.js";
import { bedrockTarget } from "./targets/bedrock-target.js";
import { PROVIDER_TARGETS } from "./targets/provider-targets.js";
import { testEngines } from "./test-engines.js";

const H = 3_600_000;
/** A job's window: long enough to start in the batch lane however slowly its Docket starts. */
const WINDOW_MS = 60_000;
/**
 * The fallback is due this long before the window ends: a job starting up to 20 s late still
 * goes to the batch lane (the turnaround there is 1 s). A test does not wait out the 40 s: once
 * it has seen what must come before the fallback, it runs the window down to FALLBACK_BEFORE_MS.
 */
const FALLBACK_BEFORE_MS = WINDOW_MS - 20_000;
/** Generous: the fallback and the on-demand run take well under a second on an idle machine. */
const FALLBACK_DONE_MS = 30_000;

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
        auto: { turnaroundMs: 1_000, onlineFallbackBeforeMs: FALLBACK_BEFORE_MS },
        engine,
        job: { n: 10, windowMs: WINDOW_MS },
      });
      running.push(docket);
      // While the provider holds them, the metrics say so.
      await metricsShowRunning(docket, 10, 15_000);
      const expiresAt = await runWindowDownTo(docket, jobId, FALLBACK_BEFORE_MS);
      const job = await jobEnded(docket, jobId, FALLBACK_DONE_MS);
      expect(job.status).toBe("completed");
      expect(job.tally).toEqual({ succeeded: 10, failed: 0, cancelled: 0, expired: 0 });
      expect(job.expiresAt).toBe(expiresAt);
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

/** Waits until the job's one provider job is done. */
async function providerJobDone(docket: TestDocket, jobId: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { data } = await providerJobsView(docket, jobId);
    if (data.length === 1 && data[0]!.status === "done") return;
    if (Date.now() > deadline) throw new Error(`provider jobs not done: ${JSON.stringify(data)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("hybrid routing over bedrock-batch: a remainder below minRecordsPerJob", () => {
  it("runs on-demand what is too few for a provider job once the window nears its end; the cost splits", async () => {
    const target = await bedrockTarget.start();
    const { docket, jobId } = await startHybridDocket(target, {
      auto: { turnaroundMs: 1_000, onlineFallbackBeforeMs: FALLBACK_BEFORE_MS },
      quotas: { maxRecordsPerJob: 100, minRecordsPerJob: 100 },
      job: { n: 150, windowMs: WINDOW_MS },
    });
    try {
      // The 100 done at the provider while the 50 left wait for more, until the fallback is due.
      await providerJobDone(docket, jobId, 15_000);
      expect((await docket.docket.store.getJob(jobId))!.status).toBe("in_progress");
      expect(target.onlineRequests()).toBe(0);
      const expiresAt = await runWindowDownTo(docket, jobId, FALLBACK_BEFORE_MS);
      const job = await jobEnded(docket, jobId, FALLBACK_DONE_MS);
      expect(job.status).toBe("completed");
      expect(job.expiresAt).toBe(expiresAt);
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
