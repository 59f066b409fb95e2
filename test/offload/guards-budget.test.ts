import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FakeAnthropic,
  startFakeAnthropic,
} from "../../src/backends/fake-anthropic/fake-anthropic-server.js";
import { splitCost } from "../../src/budget/batch-savings.js";
import { batchUsageOf } from "../../src/budget/batch-spend.js";
import { checkBudgets } from "../../src/budget/check-budgets.js";
import { routePricing } from "../../src/budget/job-pricing.js";
import { estimateBatchUsd, estimateRecordTokens } from "../../src/budget/record-estimate.js";
import type { RouteConfig, RoutePrice } from "../../src/config/config.js";
import { costUsd } from "../../src/domain/budget-stop.js";
import { providerBatchDuty } from "../../src/duties/provider-batch.js";
import type { Store } from "../../src/store/store.js";
import { openTestStore } from "../store/pg-test-db.js";
import { randomJobId } from "../support/running-job.js";
import { finishedOf, openTempStore, passUntil } from "./offload-harness.js";

const MODEL = "claude-3-5-haiku-latest";

/** SQLite always; PostgreSQL too when DOCKET_TEST_PG_URL names a server (required under CI). */
function engines(): Array<[string, () => Promise<Store>]> {
  const url = process.env.DOCKET_TEST_PG_URL;
  const list: Array<[string, () => Promise<Store>]> = [["sqlite", async () => openTempStore()]];
  if (url) list.push(["postgres", () => openTestStore(url)]);
  // Under CI a missing server fails the case rather than skipping half the product silently.
  else if (["true", "1"].includes((process.env.CI ?? "").toLowerCase()))
    list.push(["postgres", () => Promise.reject(new Error("CI is set but DOCKET_TEST_PG_URL is not."))]);
  return list;
}
const PRICE: RoutePrice = { inputPerMTok: 1_000, outputPerMTok: 2_000, batchDiscount: 0.5 };
const bodyOf = (i: number) =>
  JSON.stringify({ model: MODEL, max_tokens: 16, messages: [{ role: "user", content: `Call ${i}` }] });
/** What packing estimates record `i` costs at the batch price. */
const estimate = (i: number) => estimateBatchUsd(estimateRecordTokens(bodyOf(i)), PRICE, 0.5);

/**
 * Job budgets before submission (issue 13, docs/provider-batch.md "Cost"): a budgeted job on a
 * batch route gets no more records packed into provider jobs than its budget pays for at the
 * batch price; once what is left cannot pay for its next record, it is stopped and nothing more
 * reaches the provider. The provider is the fake Message Batches API.
 */
describe("budgets before submission to a provider batch API", () => {
  let fake: FakeAnthropic;
  const stores: Store[] = [];

  beforeAll(async () => {
    fake = await startFakeAnthropic({ batches: { turnaroundMs: 30 } });
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    await fake?.close();
  });

  function route(name: string, price: RoutePrice = PRICE): RouteConfig {
    return {
      name,
      models: [MODEL],
      backend: { type: "anthropic-batch", baseUrl: fake.url, apiKey: "k", pollMs: 20, maxJobsInFlight: 1 },
      concurrency: 1,
      timeoutMs: 60_000,
      maxAttempts: 12,
      price,
    };
  }

  async function job(
    store: Store,
    n: number,
    routeName: string,
    routeOf: (i: number) => string = () => routeName,
  ): Promise<string> {
    const id = randomJobId("msgbatch_");
    const now = Date.now();
    await store.insertJob({
      id,
      projectId: "default",
      format: "anthropic",
      model: MODEL,
      endpoint: "/v1/messages",
      inputFileId: "file-x",
      completionWindow: "24h",
      metadata: null,
      createdAt: now,
      expiresAt: now + 86_400_000,
    });
    await store.claimValidation("validator", 30_000, now);
    const records = Array.from({ length: n }, (_, i) => ({
      position: i,
      line: i + 1,
      customId: `req-${i}`,
      route: routeOf(i),
      body: bodyOf(i),
    }));
    await store.insertRecords(id, records, 12);
    await store.finishValidation(id, n, now);
    return id;
  }

  /** The fake's count per custom_id of what was submitted since `before` (a snapshot of it). */
  const submittedSince = (before: Record<string, number>) =>
    Object.entries(fake.batches.stats().submittedPerCustomId).filter(([id]) => !(id in before));

  it.each(engines())(
    "packs only what the budget pays for at the batch price, then stops the job and sends nothing more (%s)",
    async (engine, open) => {
      const store = await open();
      stores.push(store);
      const r = route(`budget-batch-${engine}`);
      const N = 20;
      const jobId = await job(store, N, r.name);
      const before = { ...fake.batches.stats().submittedPerCustomId };
      // Three records and a half at the batch price (not even two at the list price).
      const budget = estimate(0) + estimate(1) + estimate(2) + estimate(3) / 2;
      await store.setJobBudget(jobId, budget, null);
      const duty = providerBatchDuty({ store, routes: [r] })!;
      await passUntil(duty, async () => (await store.getJob(jobId))!.status !== "in_progress", 30_000);
      // The budget stop is in: more passes send nothing more.
      const created = fake.batches.stats().created;
      for (let i = 0; i < 5; i++) await duty.pass(new AbortController().signal);
      await duty.close?.();
      expect(fake.batches.stats().created).toBe(created);

      const pjs = await store.providerJobsOfJob(jobId);
      expect(pjs[0]!.records).toBe(3);
      // Later provider jobs were packed against what the earlier ones really cost (less than estimated).
      expect(pjs.length).toBeGreaterThan(1);
      const job_ = (await store.getJob(jobId))!;
      expect(job_.status).toBe("cancelling");
      expect(job_.errors?.[0]?.code).toBe("budget_exceeded");
      const finished = await finishedOf(store, jobId);
      const succeeded = finished.filter((f) => f.state === "succeeded");
      const cancelled = finished.filter((f) => f.state === "cancelled");
      expect(succeeded.length + cancelled.length).toBe(N);
      expect(cancelled.length).toBeGreaterThan(0);
      expect(cancelled.every((f) => f.error?.code === "budget_exceeded")).toBe(true);
      // The provider saw exactly the records that ran, each once: none after the stop.
      const submitted = submittedSince(before);
      expect(submitted.every(([, n]) => n === 1)).toBe(true);
      expect(submitted.length).toBe(succeeded.length);
      // What they cost at the batch price is within the budget.
      const spent = splitCost({ total: job_.usage, batch: await batchUsageOf(store, jobId) }, PRICE).totalUsd;
      expect(spent).toBeLessThanOrEqual(budget);
      // Input order: what ran is the head of the job, what was stopped its tail.
      expect(succeeded.map((f) => f.position)).toEqual(Array.from({ length: succeeded.length }, (_, i) => i));
    },
    60_000,
  );

  it("charges batch tokens at the batch discount in maintenance's guard", async () => {
    const store = openTempStore();
    stores.push(store);
    const r = route("guard-batch");
    // Four records on the batch route, and one left pending on a route nothing runs (so a stop has work to end).
    const jobId = await job(store, 5, r.name, (i) => (i === 4 ? "idle" : r.name));
    const duty = providerBatchDuty({ store, routes: [r] })!;
    const allIn = async () => (await store.getJob(jobId))!.tally.succeeded === 4;
    await passUntil(duty, allIn, 30_000);
    await duty.close?.();
    const usage = (await store.getJob(jobId))!.usage;
    expect(usage.outputTokens).toBeGreaterThan(0);
    // A budget between the batch price and the list price of what ran.
    const list = costUsd(usage, PRICE);
    await store.setJobBudget(jobId, list * 0.75, null);
    expect(await checkBudgets(store, routePricing([r]), Date.now())).toEqual([]);
    // Without a batch discount on the route, the same spend reaches the budget.
    const undiscounted = routePricing([route("guard-batch", { inputPerMTok: 1_000, outputPerMTok: 2_000 })]);
    const stopped = await checkBudgets(store, undiscounted, Date.now());
    expect(stopped.map((j) => j.id)).toEqual([jobId]);
  }, 60_000);
});
