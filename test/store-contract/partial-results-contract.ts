import { beforeEach, describe, expect, it } from "vitest";
import type { ClaimedRecord, Outcome } from "../../src/domain/record.js";
import type { Store } from "../../src/store/store.js";
import { runningTestJob, T0 } from "./fixtures.js";

/**
 * `endedRun` (issue 14, partial results): the ended records right after a cursor, in input order,
 * stop at the first record still open, at the limit and at the bound; every way a record ends
 * counts; other jobs' records never do.
 */
export function describePartialResultsContract(engine: string, openStore: () => Promise<Store>): void {
  describe(`store contract (partial results): ${engine}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await openStore();
      return () => store.close();
    });

    const succeeded: Outcome = {
      kind: "succeeded",
      response: { statusCode: 200, requestId: "req", body: "{}" },
      usage: null,
    };
    const failed: Outcome = {
      kind: "failed",
      response: { statusCode: 400, requestId: "req", body: '{"error":{}}' },
      error: { code: "http_400", message: "bad" },
    };
    const retry: Outcome = {
      kind: "retry",
      runAt: T0 + 60_000,
      response: null,
      error: { code: "timeout", message: "slow" },
    };

    /** Claims every record of the job (route r1) and returns them by custom id. */
    async function claimAll(): Promise<Map<string, ClaimedRecord>> {
      const claimed = await store.claimRecords({
        owner: "w",
        routes: [{ route: "r1", limit: 1000 }],
        leaseMs: 60_000,
        now: T0,
      });
      return new Map(claimed.map((r) => [r.customId, r]));
    }

    async function settle(held: Map<string, ClaimedRecord>, outcomes: Record<string, Outcome>) {
      await store.recordResults(
        Object.entries(outcomes).map(([customId, outcome]) => {
          const r = held.get(customId)!;
          return { recordId: r.id, attempt: r.attempt, outcome };
        }),
        T0 + 1,
      );
    }

    it("covers the ended records up to the first open one, and no further", async () => {
      const job = await runningTestJob(store, 10);
      expect(await store.endedRun(job, -1, 100)).toEqual({ ended: 0, lastPosition: null, more: true });
      const held = await claimAll();
      await settle(held, { c0: succeeded, c1: failed, c3: succeeded, c4: succeeded });
      expect(await store.endedRun(job, -1, 100)).toEqual({ ended: 2, lastPosition: 1, more: true });
      // c2 is still running: nothing after the cursor at 2 has ended yet, whatever lies beyond.
      expect(await store.endedRun(job, 1, 100)).toEqual({ ended: 0, lastPosition: null, more: true });
      // A retry puts c2 back to pending: still open.
      await settle(held, { c2: retry });
      expect((await store.endedRun(job, 1, 100)).ended).toBe(0);
      const again = await store.claimRecords({
        owner: "w",
        routes: [{ route: "r1", limit: 10 }],
        leaseMs: 60_000,
        now: T0 + 60_000,
      });
      expect(again.map((r) => r.customId)).toEqual(["c2"]);
      await settle(new Map([["c2", again[0]!]]), { c2: succeeded });
      expect(await store.endedRun(job, 1, 100)).toEqual({ ended: 3, lastPosition: 4, more: true });
    });

    it("stops at the limit and at the bound, and says when nothing follows", async () => {
      const job = await runningTestJob(store, 10);
      const held = await claimAll();
      await settle(
        held,
        Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`c${i}`, i % 3 ? succeeded : failed])),
      );
      expect(await store.endedRun(job, -1, 4)).toEqual({ ended: 4, lastPosition: 3, more: true });
      expect(await store.endedRun(job, 3, 100)).toEqual({ ended: 6, lastPosition: 9, more: false });
      expect(await store.endedRun(job, -1, 100, 5)).toEqual({ ended: 5, lastPosition: 4, more: false });
      expect(await store.endedRun(job, 4, 100, 5)).toEqual({ ended: 0, lastPosition: null, more: false });
      // A full window may have more behind it; the next read finds out.
      expect(await store.endedRun(job, 5, 4)).toEqual({ ended: 4, lastPosition: 9, more: true });
      expect(await store.endedRun(job, 9, 4)).toEqual({ ended: 0, lastPosition: null, more: false });
    });

    it("counts cancelled and expired records as ended, and only the job's own records", async () => {
      const other = await runningTestJob(store, 3);
      const job = await runningTestJob(store, 4, {
        over: { expiresAt: T0 + 1000 },
      });
      // The other job's records are open and interleave by id; they never stop this job's run.
      await store.cancelJob(job, T0);
      expect(await store.endedRun(job, -1, 100)).toEqual({ ended: 4, lastPosition: 3, more: false });
      expect(await store.endedRun(other, -1, 100)).toEqual({ ended: 0, lastPosition: null, more: true });
      await store.expireJobs(T0 + 86_400_001);
      expect(await store.endedRun(other, -1, 100)).toEqual({ ended: 3, lastPosition: 2, more: false });
      const states = (await store.readFinished(other, -1, 10)).map((r) => r.state);
      expect(states).toEqual(["expired", "expired", "expired"]);
    });

    it("never counts a record another read could still see change", async () => {
      const job = await runningTestJob(store, 3);
      const held = await claimAll();
      await settle(held, { c0: succeeded });
      const run = await store.endedRun(job, -1, 100);
      // Every record the run covers reads back ended, with its answer.
      const covered = await store.readFinished(job, -1, run.ended);
      expect(covered.map((r) => [r.customId, r.state])).toEqual([["c0", "succeeded"]]);
      expect(covered[0]!.response?.body).toBe("{}");
    });
  });
}
