import { beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/store.js";
import { runningTestJob, T0 } from "./fixtures.js";

/** Job budgets (setJobBudget, getJobBudget, listBudgetedJobs, setJobPrice, stopForBudget) on each engine. */
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

    it("reads one job's budget and price back (what a retry's child inherits), null without one", async () => {
      const plain = await jobWith(1);
      const budgeted = await jobWith(1);
      await store.setJobBudget(budgeted, 2.5, null);
      expect(await store.getJobBudget(plain)).toBeNull();
      expect(await store.getJobBudget("batch_nope")).toBeNull();
      expect(await store.getJobBudget(budgeted)).toEqual({ budgetUsd: 2.5, price: null });
      await store.setJobPrice(budgeted, { inputPerMTok: 0.5, outputPerMTok: 2 });
      expect(await store.getJobBudget(budgeted)).toEqual({
        budgetUsd: 2.5,
        price: { inputPerMTok: 0.5, outputPerMTok: 2 },
      });
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

    it("cancels the records the stopping worker claimed but never sent, counting them as not run", async () => {
      const id = await jobWith(6);
      await store.setJobBudget(id, 0.001, { inputPerMTok: 0, outputPerMTok: 1 });
      await succeed(2);
      // w1 holds the remaining four: one in flight, three prefetched and never sent.
      const held = await store.claimRecords({
        owner: "w1",
        routes: [{ route: "r1", limit: 4 }],
        leaseMs: 10_000,
        now: T0,
      });
      expect(held).toHaveLength(4);
      const [inFlight, ...unsent] = held;
      const stop = { code: "budget_exceeded" as const, spentUsd: 0.002, budgetUsd: 0.001 };
      // Another owner's leases are not this worker's to cancel: with only those, nothing stops.
      expect(
        await store.stopForBudget(id, stop, T0 + 4, {
          owner: "w2",
          held: unsent.map((r) => ({ id: r.id, attempt: r.attempt })),
        }),
      ).toBeUndefined();
      const stopped = await store.stopForBudget(id, stop, T0 + 5, {
        owner: "w1",
        held: unsent.map((r) => ({ id: r.id, attempt: r.attempt })),
      });
      expect(stopped?.status).toBe("cancelling");
      expect(stopped?.errors?.[0]?.message).toBe(
        "Spent $0.0020 of the $0.0010 budget after 2 records; 3 records were not run.",
      );
      await store.recordResults(
        [
          {
            recordId: inFlight!.id,
            attempt: inFlight!.attempt,
            outcome: {
              kind: "succeeded",
              response: { statusCode: 200, requestId: null, body: "{}" },
              usage: { inputTokens: 1, outputTokens: 1 },
            },
          },
        ],
        T0 + 6,
      );
      expect(await store.claimFinalizable(T0 + 7)).toEqual([{ id, endStatus: "cancelled" }]);
      const finished = await store.readFinished(id, -1, 100);
      expect(finished.map((r) => r.state)).toEqual([
        "succeeded",
        "succeeded",
        "succeeded",
        "cancelled",
        "cancelled",
        "cancelled",
      ]);
      expect(finished[3]!.error?.code).toBe("budget_exceeded");
    });

    it("ends released records of a stopped job cancelled, and gives others back", async () => {
      const cancelled = await jobWith(3);
      const budgeted = await jobWith(3);
      const running = await jobWith(2);
      const held = await store.claimRecords({
        owner: "w1",
        routes: [{ route: "r1", limit: 8 }],
        leaseMs: 10_000,
        now: T0,
      });
      expect(held).toHaveLength(8);
      await store.cancelJob(cancelled, T0 + 1);
      await store.setJobBudget(budgeted, 0.001, { inputPerMTok: 0, outputPerMTok: 1 });
      const lease = (job: string) =>
        held.filter((r) => r.jobId === job).map((r) => ({ id: r.id, attempt: r.attempt }));
      // A budget stop that another worker decided: this worker's prefetch is released afterwards.
      await store.recordResults(
        [
          {
            recordId: lease(budgeted)[0]!.id,
            attempt: lease(budgeted)[0]!.attempt,
            outcome: {
              kind: "succeeded",
              response: { statusCode: 200, requestId: null, body: "{}" },
              usage: { inputTokens: 0, outputTokens: 5000 },
            },
          },
        ],
        T0 + 2,
      );
      const budgetError = { code: "budget_exceeded", message: "Not run: the job's budget was spent." };
      expect(
        await store.stopForBudget(
          budgeted,
          { code: "budget_exceeded", spentUsd: 0.005, budgetUsd: 0.001 },
          T0 + 3,
          {
            owner: "w1",
            held: lease(budgeted).slice(1, 2),
          },
        ),
      ).toBeDefined();
      await store.releaseRecords("w1", lease(budgeted).slice(2), T0 + 4, budgetError);
      await store.releaseRecords("w1", [...lease(cancelled), ...lease(running)], T0 + 4);

      // The user's cancel: the records end cancelled (no code: the error file says batch_cancelled).
      const c = await store.readFinished(cancelled, -1, 10);
      expect(c.map((r) => [r.state, r.error?.code ?? null])).toEqual([
        ["cancelled", null],
        ["cancelled", null],
        ["cancelled", null],
      ]);
      const b = await store.readFinished(budgeted, -1, 10);
      expect(b.map((r) => [r.state, r.error?.code ?? null])).toEqual([
        ["succeeded", null],
        ["cancelled", "budget_exceeded"],
        ["cancelled", "budget_exceeded"],
      ]);
      const finalizable = await store.claimFinalizable(T0 + 5);
      expect(finalizable).toEqual(
        expect.arrayContaining([
          { id: cancelled, endStatus: "cancelled" },
          { id: budgeted, endStatus: "cancelled" },
        ]),
      );
      expect((await store.getJob(budgeted))?.counts).toMatchObject({ total: 3, completed: 1 });
      // Records of a job still in progress go back to pending, to be claimed again.
      const again = await store.claimRecords({
        owner: "w2",
        routes: [{ route: "r1", limit: 8 }],
        leaseMs: 10_000,
        now: T0 + 6,
      });
      expect(again.map((r) => r.jobId)).toEqual([running, running]);
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
