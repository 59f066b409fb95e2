import { beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/store.js";
import { runningTestJob, T0 } from "./fixtures.js";

/** Job budgets (setJobBudget, listBudgetedJobs, setJobPrice, stopForBudget) on each engine. */
export function describeBudgetContract(engine: string, openStore: () => Promise<Store>): void {
  describe(`store contract, budgets: ${engine}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await openStore();
      return () => store.close();
    });

    async function jobWith(n: number, model = "gpt-4o-mini") {
      return runningTestJob(store, n, {
        body: (i) => JSON.stringify({ model, messages: [{ role: "user", content: `q${i}` }] }),
      });
    }

    async function succeed(limit: number, usage = { inputTokens: 100, outputTokens: 1000 }) {
      const claimed = await store.claimRecords({
        owner: "w1",
        routes: [{ route: "r1", limit }],
        leaseMs: 10_000,
        now: T0,
      });
      await store.recordResults(
        claimed.map((c) => ({
          recordId: c.id,
          attempt: c.attempt,
          outcome: {
            kind: "succeeded" as const,
            response: { statusCode: 200, requestId: null, body: "{}" },
            usage,
          },
        })),
        T0 + 1,
      );
      return claimed;
    }

    it("lists only in-progress jobs with a budget, with the first body while unpriced", async () => {
      const plain = await jobWith(2);
      const budgeted = await jobWith(3, "model-a");
      const priced = await jobWith(1);
      await store.setJobBudget(budgeted, 2.5, null);
      await store.setJobBudget(priced, 1, { inputPerMTok: 0.5, outputPerMTok: 2 });
      await succeed(10);
      const list = await store.listBudgetedJobs();
      expect(list.map((j) => j.id)).toEqual([budgeted, priced]);
      expect(list.map((j) => j.id)).not.toContain(plain);
      const [a, b] = list;
      expect(a).toMatchObject({ budgetUsd: 2.5, price: null });
      expect(JSON.parse(a!.firstBody!)).toMatchObject({ model: "model-a", messages: [{ content: "q0" }] });
      expect(a!.usage).toEqual({ inputTokens: 300, outputTokens: 3000 });
      expect(b).toMatchObject({
        budgetUsd: 1,
        price: { inputPerMTok: 0.5, outputPerMTok: 2 },
        firstBody: null,
      });

      await store.setJobPrice(budgeted, { inputPerMTok: 1, outputPerMTok: 4 });
      const again = await store.listBudgetedJobs();
      expect(again[0]).toMatchObject({ price: { inputPerMTok: 1, outputPerMTok: 4 }, firstBody: null });
    });

    it("stops a job for its budget: pending records cancelled with the reason, running ones may finish", async () => {
      const id = await jobWith(6);
      await store.setJobBudget(id, 0.001, { inputPerMTok: 0, outputPerMTok: 1 });
      await succeed(2);
      const inFlight = await store.claimRecords({
        owner: "w1",
        routes: [{ route: "r1", limit: 1 }],
        leaseMs: 10_000,
        now: T0,
      });
      const stopped = await store.stopForBudget(
        id,
        { code: "budget_exceeded", spentUsd: 0.002, budgetUsd: 0.001 },
        T0 + 5,
      );
      expect(stopped?.status).toBe("cancelling");
      expect(stopped?.errors).toEqual([
        {
          code: "budget_exceeded",
          message: "Spent $0.0020 of the $0.0010 budget after 2 records; 3 records were not run.",
          line: null,
          param: null,
        },
      ]);
      expect(await store.listBudgetedJobs()).toEqual([]);
      // Stopping twice does nothing.
      expect(
        await store.stopForBudget(id, { code: "budget_exceeded", spentUsd: 1, budgetUsd: 0.001 }, T0 + 6),
      ).toBeUndefined();
      // The record in flight still completes, then the job drains to cancelled.
      const res = await store.recordResults(
        [
          {
            recordId: inFlight[0]!.id,
            attempt: inFlight[0]!.attempt,
            outcome: {
              kind: "succeeded",
              response: { statusCode: 200, requestId: null, body: "{}" },
              usage: { inputTokens: 1, outputTokens: 1 },
            },
          },
        ],
        T0 + 7,
      );
      expect(res.accepted).toBe(1);
      expect(await store.claimFinalizable(T0 + 8)).toEqual([{ id, endStatus: "cancelled" }]);
      const finished = await store.readFinished(id, -1, 100);
      expect(finished.map((r) => r.state)).toEqual([
        "succeeded",
        "succeeded",
        "succeeded",
        "cancelled",
        "cancelled",
        "cancelled",
      ]);
      expect(finished[5]!.error).toEqual({
        code: "budget_exceeded",
        message: "Not run: the job's budget of $0.0010 was spent.",
      });
      await store.completeFinalize(id, { endStatus: "cancelled", outputFile: null, errorFile: null }, T0 + 9);
      const job = await store.getJob(id);
      expect(job).toMatchObject({ status: "cancelled", counts: { total: 6, completed: 3, failed: 0 } });
      expect(job?.errors?.[0]?.code).toBe("budget_exceeded");
    });

    it("does not stop a job with nothing left to run", async () => {
      const id = await jobWith(2);
      await store.setJobBudget(id, 0.001, null);
      await succeed(2);
      expect(
        await store.stopForBudget(id, { code: "budget_exceeded", spentUsd: 1, budgetUsd: 0.001 }, T0 + 5),
      ).toBeUndefined();
      expect(await store.claimFinalizable(T0 + 6)).toEqual([{ id, endStatus: "completed" }]);
    });
  });
}
