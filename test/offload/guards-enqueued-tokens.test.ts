import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FakeAnthropic,
  startFakeAnthropic,
} from "../../src/backends/fake-anthropic/fake-anthropic-server.js";
import type { RouteConfig } from "../../src/config/config.js";
import { tokensForChars } from "../../src/domain/chars-per-token-estimator.js";
import { OPEN_PROVIDER_JOB_STATES } from "../../src/domain/provider-job.js";
import { providerBatchDuty } from "../../src/duties/provider-batch.js";
import type { Store } from "../../src/store/store.js";
import { insertRunningJob, randomJobId } from "../support/running-job.js";
import { finishedOf, openTempStore, passUntil } from "./offload-harness.js";

const MODEL = "claude-3-5-haiku-latest";
/** Every body has the same length, so every record is estimated at the same tokens. */
const bodyOf = (i: number) =>
  JSON.stringify({
    model: MODEL,
    max_tokens: 8,
    messages: [{ role: "user", content: `Call ${String(i).padStart(4, "0")}` }],
  });
const PER_RECORD = tokensForChars(bodyOf(0).length);

/**
 * `maxEnqueuedTokens` (issue 13, docs/provider-batch.md "Packing"): the estimated tokens of the
 * route's provider jobs not yet ended stay within the limit at every moment — a new provider job
 * gets only what the open ones leave, and none starts while they leave too little for a record.
 */
describe("the enqueued-token limit across a route's open provider jobs", () => {
  let fake: FakeAnthropic;
  let store: Store;

  beforeAll(async () => {
    fake = await startFakeAnthropic({ batches: { turnaroundMs: 150 } });
    store = openTempStore();
  });
  afterAll(async () => {
    await store?.close();
    await fake?.close();
  });

  it("keeps the open provider jobs' estimated tokens within the limit, and runs everything", async () => {
    const N = 30;
    const limit = 4 * PER_RECORD + Math.floor(PER_RECORD / 2);
    const route: RouteConfig = {
      name: "tokens-batch",
      models: [MODEL],
      backend: {
        type: "anthropic-batch",
        baseUrl: fake.url,
        apiKey: "k",
        pollMs: 20,
        maxJobsInFlight: 10,
        maxEnqueuedTokens: limit,
      },
      concurrency: 1,
      timeoutMs: 60_000,
      maxAttempts: 12,
    };
    const jobId = await insertRunningJob(store, {
      id: randomJobId("msgbatch_"),
      format: "anthropic",
      endpoint: "/v1/messages",
      model: MODEL,
      n: N,
      route: route.name,
      record: (i) => ({ customId: `req-${i}`, body: bodyOf(i) }),
    });
    const duty = providerBatchDuty({ store, routes: [route] })!;
    let mostEnqueued = 0;
    let mostOpen = 0;
    const watch = async () => {
      const open = await store.listProviderJobs({
        states: OPEN_PROVIDER_JOB_STATES,
        route: route.name,
        limit: 100,
      });
      const enqueued = open.filter((p) => p.state !== "ingesting").reduce((s, p) => s + p.estimatedTokens, 0);
      mostEnqueued = Math.max(mostEnqueued, enqueued);
      mostOpen = Math.max(mostOpen, open.length);
    };
    await passUntil(duty, async () => (await store.getJob(jobId))!.tally.succeeded === N, 60_000, watch);
    await duty.close?.();

    expect(mostEnqueued).toBeLessThanOrEqual(limit);
    expect(mostEnqueued).toBe(4 * PER_RECORD);
    // Ten slots, but the tokens leave room for one provider job at a time.
    expect(mostOpen).toBe(1);
    const pjs = await store.providerJobsOfJob(jobId);
    expect(pjs.map((p) => p.records)).toEqual([4, 4, 4, 4, 4, 4, 4, 2]);
    expect(pjs.every((p) => p.providerJob.estimatedTokens <= limit)).toBe(true);
    const finished = await finishedOf(store, jobId);
    expect(finished.map((f) => f.customId)).toEqual(Array.from({ length: N }, (_, i) => `req-${i}`));
  }, 90_000);
});
