import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FakeBedrockBatch,
  startFakeBedrockBatch,
} from "../../src/backends/fake-bedrock-batch/fake-bedrock-batch-server.js";
import { providerBatchDuty } from "../../src/duties/provider-batch.js";
import type { Store } from "../../src/store/store.js";
import { openTestStore } from "../store/pg-test-db.js";
import { type RunningS3rver, startS3rver } from "../support/s3rver.js";
import {
  BUCKET,
  bedrockBatchRoute,
  bedrockJob,
  finishedOf,
  MODEL,
  openTempStore,
  passUntil,
} from "./offload-harness.js";

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
  const allEnded = (store: Store, jobId: string, total: number) => async () => {
    const job = (await store.getJob(jobId))!;
    return job.tally.succeeded + job.tally.failed + job.tally.cancelled + job.tally.expired >= total;
  };

  it("sends 120,000 records as 3 provider jobs, never more than 2 in flight, each result once in input order", async () => {
    const N = 120_000;
    const store = openTempStore();
    stores.push(store);
    fake.setOptions({ maxJobsInFlight: 2, turnaroundMs: 50, minRecordsPerJob: 100 });
    const route = bedrockBatchRoute("bedrock-120k", target(), {
      maxRecordsPerJob: 50_000,
      minRecordsPerJob: 100,
      maxJobsInFlight: 2,
    });
    const jobId = await bedrockJob(store, N, route.name);
    const duty = providerBatchDuty({ store, routes: [route] })!;
    await passUntil(duty, allEnded(store, jobId, N), 150_000);
    await duty.close?.();

    const job = (await store.getJob(jobId))!;
    expect(job.tally).toEqual({ succeeded: N, failed: 0, cancelled: 0, expired: 0 });
    const pjs = await store.providerJobsOfJob(jobId);
    expect(pjs.map((p) => p.records)).toEqual([50_000, 50_000, 20_000]);
    expect(pjs.every((p) => p.providerJob.state === "done")).toBe(true);
    const stats = fake.stats();
    expect(stats.maxInFlightObserved[MODEL]).toBeLessThanOrEqual(2);
    expect(Object.values(stats.jobsByToken).every((n) => n === 1)).toBe(true);
    const submitted = Object.values(stats.recordsSubmitted);
    expect(submitted.length).toBe(N);
    expect(submitted.every((n) => n === 1)).toBe(true);
    const finished = await finishedOf(store, jobId);
    expect(finished.map((r) => r.customId)).toEqual(Array.from({ length: N }, (_, i) => `r${i}`));
    expect(finished.every((r) => r.state === "succeeded" && r.response?.statusCode === 200)).toBe(true);
    // Batch-priced usage is counted per Docket job (cost shows the batch discount from it).
    expect(pjs.reduce((s, p) => s + p.succeeded, 0)).toBe(N);
    expect(pjs.reduce((s, p) => s + p.outputTokens, 0)).toBe(job.usage.outputTokens);
  }, 180_000);

  const engines: Array<[string, () => Promise<Store>]> = [["sqlite", async () => openTempStore()]];
  const pgUrl = process.env.DOCKET_TEST_PG_URL;
  if (pgUrl) engines.push(["postgres", () => openTestStore(pgUrl)]);

  it.each(engines)(
    "runs again later what the provider failed or expired, until nothing is left failed (%s)",
    async (_engine, open) => {
      const N = 2_000;
      const store = await open();
      stores.push(store);
      fake.setOptions({
        maxJobsInFlight: 10,
        minRecordsPerJob: 1,
        recordRetryableFailureRate: 0.05,
        expireBeforeCompletion: true,
        seed: 7,
      });
      const route = bedrockBatchRoute("bedrock-flaky", target(), {
        maxRecordsPerJob: 1_000,
        minRecordsPerJob: 1,
      });
      const jobId = await bedrockJob(store, N, route.name);
      const duty = providerBatchDuty({ store, routes: [route] })!;
      // The first provider jobs expire half-done; then the provider behaves (errors stay at 5%).
      await passUntil(
        duty,
        async () => {
          const pjs = await store.providerJobsOfJob(jobId);
          return pjs.some((p) => p.providerJob.state === "expired");
        },
        30_000,
      );
      fake.setOptions({ expireBeforeCompletion: false });
      await passUntil(duty, allEnded(store, jobId, N), 60_000);
      await duty.close?.();
      fake.setOptions({ recordRetryableFailureRate: 0 });

      const job = (await store.getJob(jobId))!;
      expect(job.tally).toEqual({ succeeded: N, failed: 0, cancelled: 0, expired: 0 });
      const pjs = await store.providerJobsOfJob(jobId);
      expect(pjs.filter((p) => p.providerJob.state === "expired").length).toBeGreaterThan(0);
      expect(pjs.reduce((s, p) => s + p.providerJob.requeued, 0)).toBeGreaterThan(0);
      const finished = await finishedOf(store, jobId);
      expect(finished.length).toBe(N);
      expect(new Set(finished.map((r) => r.customId)).size).toBe(N);
    },
    120_000,
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
