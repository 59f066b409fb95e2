import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenAIBatchBackendConfig } from "../../src/config/batch-backend-config.js";
import type { RouteConfig } from "../../src/config/config.js";
import { providerBatchDuty } from "../../src/duties/provider-batch.js";
import type { Store } from "../../src/store/store.js";
import { finishedOf, openTempStore, passUntil } from "../offload/offload-harness.js";
import { insertRunningJob, randomJobId } from "../support/running-job.js";
import { startTestDocket, type TestDocket } from "../support/test-docket.js";

/**
 * Provider batch jobs on OpenAI's Batch API (issue 13), end to end: Docket's store and provider
 * batch duty, the openai-batch client, and a second Docket (Files + Batches, real HTTP and
 * SQLite) over the fake OpenAI backend standing in for OpenAI.
 */
const MODEL = "fake-1";
const MARKER = "PLEASE_FAIL_THIS";
let provider: TestDocket;
const stores: Store[] = [];

beforeAll(async () => {
  provider = await startTestDocket({ fake: { fail400Marker: MARKER }, route: { maxAttempts: 1 } });
});
afterAll(async () => {
  for (const s of stores) await s.close();
  await provider?.close();
});

function route(name: string, quotas: Partial<OpenAIBatchBackendConfig>): RouteConfig {
  const backend: OpenAIBatchBackendConfig = {
    type: "openai-batch",
    baseUrl: `${provider.docket.url}/v1`,
    apiKey: "test",
    pollMs: 50,
    ...quotas,
  };
  return { name, models: ["fake-*"], backend, concurrency: 1, timeoutMs: 60_000, maxAttempts: 12 };
}

function chatJob(store: Store, n: number, routeName: string, fail: Set<number>): Promise<string> {
  return insertRunningJob(store, {
    id: randomJobId("batch_"),
    format: "openai",
    model: MODEL,
    endpoint: "/v1/chat/completions",
    n,
    route: routeName,
    record: (i) => ({
      customId: `req-${i}`,
      body: `{"model": "${MODEL}", "temperature": 1.0, "messages": [{"role": "user", "content": "row ${i}${fail.has(i) ? ` ${MARKER}` : ""}"}]}`,
    }),
  });
}

describe("provider batch jobs on OpenAI's Batch API (a second Docket)", () => {
  it("sends 60 records as 3 batches tagged with their provider job, each record once", async () => {
    const store = openTempStore();
    stores.push(store);
    const r = route("gpt-batch", { maxRecordsPerJob: 25, maxJobsInFlight: 2 });
    const jobId = await chatJob(store, 60, r.name, new Set([3]));
    const duty = providerBatchDuty({ store, routes: [r] })!;
    const end = async () => {
      const job = (await store.getJob(jobId))!;
      return job.tally.succeeded + job.tally.failed >= 60;
    };
    await passUntil(duty, end, 60_000);
    await duty.close?.();

    const job = (await store.getJob(jobId))!;
    expect(job.tally).toEqual({ succeeded: 59, failed: 1, cancelled: 0, expired: 0 });
    const pjs = await store.providerJobsOfJob(jobId);
    expect(pjs.map((p) => p.records)).toEqual([25, 25, 10]);

    // The provider holds one batch per provider job, found by its metadata, and ran each request once.
    const batches = (await provider.openai.batches.list({ limit: 100 })).data;
    for (const p of pjs) {
      expect(batches.filter((b) => b.metadata?.docket_provider_job === p.providerJob.id)).toHaveLength(1);
    }
    expect(provider.fake.stats().byPath["/v1/chat/completions"]).toBe(60);

    const finished = await finishedOf(store, jobId);
    expect(finished.map((f) => f.customId)).toEqual(Array.from({ length: 60 }, (_, i) => `req-${i}`));
    const failed = finished.find((f) => f.state !== "succeeded")!;
    expect(failed.customId).toBe("req-3");
    expect(failed.response?.statusCode).toBe(400);
    const ok = finished.find((f) => f.state === "succeeded")!;
    expect(JSON.parse(ok.response!.body)).toMatchObject({ object: "chat.completion", model: MODEL });
  }, 90_000);
});
