import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FakeBedrockBatch,
  startFakeBedrockBatch,
} from "../../src/backends/fake-bedrock-batch/fake-bedrock-batch-server.js";
import { providerBatchDuty } from "../../src/duties/provider-batch.js";
import type { Store } from "../../src/store/store.js";
import { type RunningS3rver, startS3rver } from "../support/s3rver.js";
import { BUCKET, bedrockBatchRoute, bedrockJob, MODEL, openTempStore, passUntil } from "./offload-harness.js";
import { testEngines } from "./test-engines.js";

/**
 * Provider batch jobs on Bedrock (issue 13), end to end: Docket's store and provider batch
 * duty, the real Bedrock batch client (official AWS SDK), the fake Bedrock control plane, and a
 * real S3 (s3rver) in between.
 */
describe("provider batch jobs on Bedrock", () => {
  let s3rver: RunningS3rver;
  let fake: FakeBedrockBatch;
  const stores: Store[] = [];

  beforeAll(async () => {
    s3rver = await startS3rver([BUCKET]);
    fake = await startFakeBedrockBatch({
      s3: { endpoint: s3rver.endpoint, credentials: s3rver.credentials },
      turnaroundMs: 50,
    });
  });

  afterAll(async () => {
    for (const s of stores) await s.close();
    await fake?.close();
    await s3rver?.close();
  });

  const target = () => ({ fakeUrl: fake.url, s3Endpoint: s3rver.endpoint, credentials: s3rver.credentials });

  // The scenarios every provider shares (quotas, errors and expiry, hybrid routing) are in
  // provider-scenarios.test.ts and hybrid-scenarios.test.ts; these are Bedrock's own.

  it.each(testEngines())(
    "keeps a remainder below minRecordsPerJob pending until later records make a job of the minimum (%s)",
    async (_engine, open) => {
      const store = await open();
      stores.push(store);
      // The fake fails a job under 100 records (as Bedrock does): none may be submitted.
      fake.setOptions({ turnaroundMs: 50, minRecordsPerJob: 100, maxJobsInFlight: 10 });
      const route = bedrockBatchRoute("bedrock-remainder", target(), {
        maxRecordsPerJob: 1_000,
        minRecordsPerJob: 100,
      });
      const createdBefore = fake.stats().jobsCreated;
      const first = await bedrockJob(store, 2_050, route.name);
      const duty = providerBatchDuty({ store, routes: [route] })!;
      const providerJobs = async () => (await store.providerJobsOfJob(first)).map((p) => p.providerJob);
      await passUntil(duty, async () => (await store.getJob(first))!.tally.succeeded === 2_000, 30_000);
      // More passes change nothing: 50 records are fewer than a job's minimum, so they wait.
      let passes = 0;
      await passUntil(duty, async () => ++passes > 20, 30_000);
      expect((await providerJobs()).map((p) => [p.state, p.records])).toEqual([
        ["done", 1_000],
        ["done", 1_000],
      ]);
      expect((await store.getJob(first))!.tally.succeeded).toBe(2_000);
      expect(await store.countRunnable(route.name, Date.now(), 10_000)).toBe(50);

      // A later job's 60 records make 110: one provider job of both jobs' records.
      const second = await bedrockJob(store, 60, route.name);
      await passUntil(
        duty,
        async () =>
          (await store.getJob(first))!.tally.succeeded === 2_050 &&
          (await store.getJob(second))!.tally.succeeded === 60,
        30_000,
      );
      await duty.close?.();
      const last = (await providerJobs())[2]!;
      expect([last.state, last.records]).toEqual(["done", 110]);
      expect((await store.providerJobsOfJob(second)).map((p) => p.providerJob.id)).toEqual([last.id]);
      expect(fake.stats().jobsCreated - createdBefore).toBe(3);
      fake.setOptions({ minRecordsPerJob: 1 });
    },
    90_000,
  );

  it("stops what a cancelled batch has at the provider: its records end cancelled, the provider job is stopped", async () => {
    const N = 500;
    const store = openTempStore();
    stores.push(store);
    fake.setOptions({ turnaroundMs: 60_000, minRecordsPerJob: 1, maxJobsInFlight: 10 });
    const route = bedrockBatchRoute("bedrock-cancel", target(), { minRecordsPerJob: 1 });
    const jobId = await bedrockJob(store, N, route.name);
    const duty = providerBatchDuty({ store, routes: [route] })!;
    const stopsBefore = fake.stats().stops;
    await passUntil(
      duty,
      async () => (await store.providerJobsOfJob(jobId)).some((p) => p.providerJob.state === "running"),
      30_000,
    );
    await store.cancelJob(jobId, Date.now());
    await passUntil(duty, async () => (await store.getJob(jobId))!.tally.cancelled === N, 30_000);
    await passUntil(duty, async () => fake.stats().stops > stopsBefore, 10_000);
    await passUntil(
      duty,
      async () => (await store.providerJobsOfJob(jobId)).every((p) => p.providerJob.state === "cancelled"),
      10_000,
    );
    await duty.close?.();
    fake.setOptions({ turnaroundMs: 50 });
    expect((await store.getJob(jobId))!.tally).toEqual({ succeeded: 0, failed: 0, cancelled: N, expired: 0 });
  }, 90_000);

  it("packs one model per provider job: two batches for two models make two jobs", async () => {
    const store = openTempStore();
    stores.push(store);
    fake.setOptions({ turnaroundMs: 50, minRecordsPerJob: 1, maxJobsInFlight: 10 });
    const route = bedrockBatchRoute("bedrock-two-models", target(), { minRecordsPerJob: 1 });
    const other = "anthropic.claude-3-5-sonnet-20240620-v1:0";
    const a = await bedrockJob(store, 700, route.name);
    const b = await bedrockJob(store, 700, route.name, { model: other });
    const duty = providerBatchDuty({ store, routes: [route] })!;
    const done = async () =>
      (await store.getJob(a))!.tally.succeeded === 700 && (await store.getJob(b))!.tally.succeeded === 700;
    await passUntil(duty, done, 30_000);
    await duty.close?.();
    const [pa, pb] = [await store.providerJobsOfJob(a), await store.providerJobsOfJob(b)];
    expect(pa.map((p) => [p.providerJob.model, p.records])).toEqual([[MODEL, 700]]);
    expect(pb.map((p) => [p.providerJob.model, p.records])).toEqual([[other, 700]]);
  }, 60_000);

  it("backs off from throttled creates and submits once the provider lets it", async () => {
    const store = openTempStore();
    stores.push(store);
    const before = fake.stats();
    fake.setOptions({ turnaroundMs: 50, minRecordsPerJob: 1, maxJobsInFlight: 10, throttleCreates: 3 });
    const route = bedrockBatchRoute("bedrock-throttled", target(), { minRecordsPerJob: 1 });
    const jobId = await bedrockJob(store, 300, route.name);
    const duty = providerBatchDuty({ store, routes: [route] })!;
    await passUntil(duty, async () => (await store.getJob(jobId))!.tally.succeeded === 300, 30_000);
    await duty.close?.();
    const stats = fake.stats();
    expect(stats.throttledCreates - before.throttledCreates).toBe(3);
    expect(stats.jobsCreated - before.jobsCreated).toBe(1);
    const [pj] = await store.providerJobsOfJob(jobId);
    expect(pj?.providerJob.state).toBe("done");
  }, 60_000);
});
