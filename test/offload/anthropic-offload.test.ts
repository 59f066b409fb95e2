import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FakeAnthropic,
  startFakeAnthropic,
} from "../../src/backends/fake-anthropic/fake-anthropic-server.js";
import type { AnthropicBatchBackendConfig } from "../../src/config/batch-backend-config.js";
import type { RouteConfig } from "../../src/config/config.js";
import { providerBatchDuty } from "../../src/duties/provider-batch.js";
import type { Store } from "../../src/store/store.js";
import { finishedOf, messagesJob, openTempStore, passUntil } from "./offload-harness.js";

const MODEL = "claude-3-5-haiku-latest";

/** Provider batch jobs on Anthropic's Message Batches API (the fake speaks its wire format). */
describe("provider batch jobs on Anthropic Message Batches", () => {
  let fake: FakeAnthropic;
  const stores: Store[] = [];

  beforeAll(async () => {
    fake = await startFakeAnthropic({});
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    await fake?.close();
  });

  function route(quotas: Partial<AnthropicBatchBackendConfig>): RouteConfig {
    const backend: AnthropicBatchBackendConfig = {
      type: "anthropic-batch",
      baseUrl: fake.url,
      apiKey: "k",
      pollMs: 20,
      ...quotas,
    };
    return {
      name: "claude-batch",
      models: [MODEL],
      backend,
      concurrency: 1,
      timeoutMs: 60_000,
      maxAttempts: 12,
    };
  }

  it("keeps within the jobs-in-flight quota, runs again what errored or expired, and ends with nothing failed", async () => {
    const N = 3_000;
    const store = openTempStore();
    stores.push(store);
    fake.batches.setOptions({ turnaroundMs: 50, errorRate: 0.05, expireHalf: true, maxInFlight: 2 });
    const r = route({ maxRecordsPerJob: 1_000, maxJobsInFlight: 2 });
    const jobId = await messagesJob(store, N, "claude-batch", MODEL);
    const duty = providerBatchDuty({ store, routes: [r] })!;
    const ended = async () => {
      const t = (await store.getJob(jobId))!.tally;
      return t.succeeded + t.failed + t.cancelled + t.expired >= N;
    };
    // The first provider jobs end with half their requests expired (Anthropic ends the batch and
    // marks each request); then the provider stops expiring them (errors stay at 5%).
    await passUntil(
      duty,
      async () =>
        (await store.providerJobsOfJob(jobId)).some(
          (p) => p.providerJob.state === "done" && p.providerJob.requeued > 0,
        ),
      30_000,
    );
    fake.batches.setOptions({ expireHalf: false });
    await passUntil(duty, ended, 60_000);
    await duty.close?.();

    expect((await store.getJob(jobId))!.tally).toEqual({ succeeded: N, failed: 0, cancelled: 0, expired: 0 });
    const stats = fake.batches.stats();
    expect(stats.maxInFlight).toBeLessThanOrEqual(2);
    const pjs = await store.providerJobsOfJob(jobId);
    expect(pjs.reduce((s, p) => s + p.providerJob.requeued, 0)).toBeGreaterThan(0);
    const finished = await finishedOf(store, jobId);
    expect(finished.map((f) => f.customId)).toEqual(Array.from({ length: N }, (_, i) => `req-${i}`));
    expect(finished.every((f) => JSON.parse(f.response!.body).type === "message")).toBe(true);
  }, 120_000);
});
