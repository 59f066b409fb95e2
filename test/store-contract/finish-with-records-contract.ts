import { beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/store.js";
import { insertTestJob, T0, testRecords } from "./fixtures.js";

/**
 * `finishValidation` with the file's last records (issue 18, pickup): they are inserted in the
 * same transaction as the start, so a one-chunk file costs one commit between its submission
 * and its first request. Whatever the outcome, the records and the job's state go together.
 */
export function describeFinishWithRecordsContract(engine: string, openStore: () => Promise<Store>): void {
  describe(`store contract (last records with the start): ${engine}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await openStore();
      return () => store.close();
    });

    const claim = (limit: number, now: number) =>
      store.claimRecords({ owner: "w", routes: [{ route: "r1", limit }], leaseMs: 10_000, now });

    it("inserts the last chunks, each with its attempt budget, and starts the job", async () => {
      const id = await insertTestJob(store);
      await store.claimValidation("v", 30_000, T0);
      // An earlier chunk went alone; the last two (two attempt budgets, one line failed) go with the start.
      await store.insertRecords(id, testRecords(2), 3);
      const later = testRecords(5).slice(2);
      const failed = {
        ...later[2]!,
        failure: { code: "invalid_body", message: "Line 5: not an object" },
      };
      const started = await store.finishValidation(id, 5, T0 + 1, "m", [
        { records: [later[0]!], maxAttempts: 3 },
        { records: [later[1]!, failed], maxAttempts: 7 },
      ]);
      expect(started).toBe(true);
      const job = await store.getJob(id);
      expect(job).toMatchObject({ status: "in_progress", model: "m", counts: { total: 5, failed: 1 } });
      const claimed = await claim(10, T0 + 2);
      expect(claimed.map((r) => r.customId).sort()).toEqual(["c0", "c1", "c2", "c3"]);
      expect(claimed.find((r) => r.customId === "c3")?.maxAttempts).toBe(7);
      expect(claimed.find((r) => r.customId === "c2")?.maxAttempts).toBe(3);
    });

    it("cancels the last chunk with the rest when the job was cancelled while validating", async () => {
      const id = await insertTestJob(store);
      await store.claimValidation("v", 30_000, T0);
      await store.insertRecords(id, testRecords(2), 3);
      await store.cancelJob(id, T0 + 1);
      const last = testRecords(4).slice(2);
      expect(await store.finishValidation(id, 4, T0 + 2, "m", [{ records: last, maxAttempts: 3 }])).toBe(
        false,
      );
      expect(await claim(10, T0 + 3)).toHaveLength(0);
      expect(await store.getJob(id)).toMatchObject({
        status: "cancelling",
        counts: { total: 4 },
        tally: { cancelled: 4 },
      });
      expect(await store.claimFinalizable(T0 + 4)).toEqual([{ id, endStatus: "cancelled" }]);
    });

    it("a new holder after a dead one starts from a clean slate, the last chunk included", async () => {
      const id = await insertTestJob(store);
      await store.claimValidation("dead", 1000, T0);
      await store.insertRecords(id, testRecords(3), 3);
      // The holder died before its start; the next one validates the whole file again.
      expect((await store.claimValidation("next", 30_000, T0 + 5000))?.id).toBe(id);
      await store.insertRecords(id, testRecords(2), 3);
      const last = testRecords(3).slice(2);
      expect(await store.finishValidation(id, 3, T0 + 5001, "m", [{ records: last, maxAttempts: 3 }])).toBe(
        true,
      );
      const claimed = await claim(10, T0 + 5002);
      expect(claimed.map((r) => r.customId).sort()).toEqual(["c0", "c1", "c2"]);
    });
  });
}
