import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tablePricing } from "../../src/budget/job-pricing.js";
import { WorkerBudgets } from "../../src/budget/worker-budgets.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { runningTestJob } from "../store-contract/fixtures.js";

/** The worker's budget guard against a real SQLite store. */
describe("WorkerBudgets", () => {
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "docket-budgets-"));
    store = await openSqliteStore({ path: join(dir, "docket.db") });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const job = (model: string) =>
    runningTestJob(store, 3, { body: () => JSON.stringify({ model, messages: [] }) });

  it("stops a job with no known price before any of it is sent, and prices one it can", async () => {
    const unpriced = await job("my-own-llm");
    const priced = await job("gpt-4o-mini");
    const plain = await job("my-own-llm");
    await store.setJobBudget(unpriced, 1, null);
    await store.setJobBudget(priced, 1, null);
    const budgets = new WorkerBudgets(store, tablePricing());
    const stops = await budgets.learn([unpriced, priced, plain], new Set());
    expect(stops).toEqual([
      { jobId: unpriced, stop: { code: "budget_price_unknown", budgetUsd: 1, model: "my-own-llm" } },
    ]);
    expect(budgets.unknown([unpriced, priced, plain, "other"])).toEqual(["other"]);
    // The price found is kept with the job (maintenance and other workers charge the same).
    const listed = await store.listBudgetedJobs();
    expect(listed.find((j) => j.id === priced)?.price).not.toBeNull();
    // An unbudgeted job is never charged.
    expect(budgets.charge(plain, { inputTokens: 1e9, outputTokens: 1e9 })).toBeNull();
  });

  it("charges each answer and decides the stop on the one that reaches the budget, once", async () => {
    const id = await job("m");
    await store.setJobBudget(id, 0.0036, { inputPerMTok: 0, outputPerMTok: 100 });
    const budgets = new WorkerBudgets(store, tablePricing());
    expect(await budgets.learn([id], new Set())).toEqual([]);
    const answer = { inputTokens: 50, outputTokens: 8 }; // $0.0008
    for (let i = 0; i < 4; i++) expect(budgets.charge(id, answer)).toBeNull();
    const stop = budgets.charge(id, answer);
    expect(stop).toMatchObject({ code: "budget_exceeded", budgetUsd: 0.0036 });
    expect(stop?.code === "budget_exceeded" && stop.spentUsd).toBeCloseTo(0.004);
    expect(budgets.charge(id, answer)).toBeNull();
  });

  it("starts from what the store has already spent (a restart), and takes in other workers' spend", async () => {
    const id = await job("m");
    await store.setJobBudget(id, 0.01, { inputPerMTok: 0, outputPerMTok: 100 });
    const claimed = await store.claimRecords({
      owner: "w",
      routes: [{ route: "r1", limit: 2 }],
      leaseMs: 10_000,
      now: Date.now(),
    });
    const budgets = new WorkerBudgets(store, tablePricing());
    expect(await budgets.learn([id], new Set())).toEqual([]);
    // Another worker's answer ($0.0096) lands in the store.
    await store.recordResults(
      [
        {
          recordId: claimed[0]!.id,
          attempt: claimed[0]!.attempt,
          outcome: {
            kind: "succeeded",
            response: { statusCode: 200, requestId: null, body: "{}" },
            usage: { inputTokens: 0, outputTokens: 96 },
          },
        },
      ],
      Date.now(),
    );
    expect(budgets.tracking).toBe(true);
    expect(await budgets.refresh()).toEqual([]);
    // Ours ($0.0008) now reaches the budget.
    expect(budgets.charge(id, { inputTokens: 0, outputTokens: 8 })).toMatchObject({
      code: "budget_exceeded",
    });
    // A fresh worker (a restart) sees the store's spend at once.
    const again = new WorkerBudgets(store, tablePricing());
    const more = { inputTokens: 0, outputTokens: 8 };
    expect(await again.learn([id], new Set())).toEqual([]);
    expect(again.charge(id, more)).toMatchObject({ code: "budget_exceeded" });
  });
});
