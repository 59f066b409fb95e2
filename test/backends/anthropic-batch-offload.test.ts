import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FakeAnthropic,
  startFakeAnthropic,
} from "../../src/backends/fake-anthropic/fake-anthropic-server.js";
import type { AnthropicBatchBackendConfig } from "../../src/config/batch-backend-config.js";
import type { RouteConfig } from "../../src/config/config.js";
import { providerBatchDuty } from "../../src/duties/provider-batch.js";
import type { Store } from "../../src/store/store.js";
import { finishedOf, openTempStore, passUntil } from "../offload/offload-harness.js";
import { insertRunningJob, randomJobId } from "../support/running-job.js";

/**
 * Provider batch jobs on Anthropic's Message Batches API (issue 13), end to end: Docket's store
 * and provider batch duty, the anthropic-batch client, and the fake Message Batches API.
 */
const MODEL = "claude-test";
const MARKER = "PLEASE_FAIL_THIS";
let fake: FakeAnthropic;
const stores: Store[] = [];

beforeAll(async () => {
  fake = await startFakeAnthropic({ fail400Marker: MARKER, apiKey: "sk-test" });
});
afterAll(async () => {
  for (const s of stores) await s.close();
  await fake?.close();
});

function route(name: string, quotas: Partial<AnthropicBatchBackendConfig>): RouteConfig {
  const backend: AnthropicBatchBackendConfig = {
    type: "anthropic-batch",
    baseUrl: fake.url,
    apiKey: "sk-test",
    pollMs: 20,
    ...quotas,
  };
  return { name, models: ["claude-*"], backend, concurrency: 1, timeoutMs: 60_000, maxAttempts: 12 };
}

/** A Message Batch (format anthropic) of `n` records, validated and running; `fail` records carry the marker. */
async function messageJob(
  store: Store,
  n: number,
  routeName: string,
  fail = new Set<number>(),
): Promise<string> {
  return insertRunningJob(store, {
    id: randomJobId("msgbatch_"),
    format: "anthropic",
    model: MODEL,
    endpoint: "/v1/messages",
    n,
    route: routeName,
    record: (i) => ({
      customId: `r${i}`,
      body: `{"model": "${MODEL}", "max_tokens": 12, "messages": [{"role": "user", "content": "call ${i}${fail.has(i) ? ` ${MARKER}` : ""}"}]}`,
    }),
  });
}

const allEnded = (store: Store, jobId: string, total: number) => async () => {
  const job = (await store.getJob(jobId))!;
  return job.tally.succeeded + job.tally.failed + job.tally.cancelled + job.tally.expired >= total;
};

/** How many times each record id was sent, whatever provider job's tag its custom_id carried. */
function sentPerRecord(): Map<number, number> {
  const sent = new Map<number, number>();
  for (const [customId, n] of Object.entries(fake.batches.stats().submittedPerCustomId)) {
    const recordId = Number(customId.split("-")[1]);
    sent.set(recordId, (sent.get(recordId) ?? 0) + n);
  }
  return sent;
}

describe("provider batch jobs on Anthropic Message Batches", () => {
  it("sends 100 records as 3 batches, at most 2 in flight, each once; bad requests fail with the provider's message", async () => {
    const store = openTempStore();
    stores.push(store);
    fake.batches.setOptions({ turnaroundMs: 50, errorRate: 0, expireHalf: false, maxInFlight: null });
    fake.batches.resetStats();
    const r = route("claude-batch", { maxRecordsPerJob: 40, maxJobsInFlight: 2 });
    const jobId = await messageJob(store, 100, r.name, new Set([7]));
    const duty = providerBatchDuty({ store, routes: [r] })!;
    await passUntil(duty, allEnded(store, jobId, 100), 30_000);
    await duty.close?.();

    const job = (await store.getJob(jobId))!;
    expect(job.tally).toEqual({ succeeded: 99, failed: 1, cancelled: 0, expired: 0 });
    const pjs = await store.providerJobsOfJob(jobId);
    expect(pjs.map((p) => p.records)).toEqual([40, 40, 20]);
    const stats = fake.batches.stats();
    expect(stats.created).toBe(3);
    expect(stats.maxInFlight).toBeLessThanOrEqual(2);
    const sent = sentPerRecord();
    expect(sent.size).toBe(100);
    expect([...sent.values()].every((n) => n === 1)).toBe(true);

    const finished = await finishedOf(store, jobId);
    expect(finished.map((f) => f.customId)).toEqual(Array.from({ length: 100 }, (_, i) => `r${i}`));
    const failed = finished.find((f) => f.state !== "succeeded")!;
    expect(failed.customId).toBe("r7");
    // The provider's own message about the marker, not a generic one.
    expect(JSON.stringify(failed)).toContain("failure marker");
    const ok = finished.find((f) => f.state === "succeeded")!;
    expect(JSON.parse(ok.response!.body)).toMatchObject({ type: "message", model: MODEL });
  }, 60_000);

  it("sends again what the provider errored (retryably) or expired, until every record succeeded", async () => {
    const store = openTempStore();
    stores.push(store);
    fake.batches.setOptions({ turnaroundMs: 20, errorRate: 0.2, expireHalf: true, maxInFlight: null });
    fake.batches.resetStats();
    const r = route("claude-flaky", { maxRecordsPerJob: 50, maxJobsInFlight: 4 });
    const jobId = await messageJob(store, 200, r.name);
    const duty = providerBatchDuty({ store, routes: [r] })!;
    // Keep errors and expiries on until the provider's outcomes have made Docket send some record
    // again (outcomes are decided when a batch ends, not when it is created).
    await passUntil(duty, async () => [...sentPerRecord().values()].some((n) => n > 1), 30_000);
    fake.batches.setOptions({ expireHalf: false, errorRate: 0 });
    await passUntil(duty, allEnded(store, jobId, 200), 60_000);
    await duty.close?.();

    const job = (await store.getJob(jobId))!;
    expect(job.tally).toEqual({ succeeded: 200, failed: 0, cancelled: 0, expired: 0 });
    const sent = sentPerRecord();
    expect(sent.size).toBe(200);
    expect([...sent.values()].some((n) => n > 1)).toBe(true);
    const finished = await finishedOf(store, jobId);
    expect(new Set(finished.map((f) => f.customId)).size).toBe(200);
  }, 90_000);
});
