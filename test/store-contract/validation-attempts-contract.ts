import { beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/store.js";
import { insertTestJob, T0, testRecords } from "./fixtures.js";

/**
 * Validation strikes on every engine (docs/bounds.md, "Validation never wedges"): an attempt that
 * died exactly where the farthest one before it did (a line that kills its validator) is a strike;
 * one that got further, or was killed short of it (from outside), is not; every claim is counted.
 * Each holder's lease is 1 s and the next claim comes 2 s later: the holder died.
 */
export function describeValidationAttemptsContract(engine: string, openStore: () => Promise<Store>): void {
  describe(`store contract (validation attempts): ${engine}`, () => {
    let store: Store;
    let now: number;

    beforeEach(async () => {
      store = await openStore();
      now = T0;
      return () => store.close();
    });

    /** The next holder claims after the last one's lease ran out. */
    const claimAfterDeath = async (owner: string) => {
      now += 2000;
      const job = await store.claimValidation(owner, 1000, now);
      return { attempts: job?.validationAttempts, claims: job?.validationClaims };
    };
    /** `owner` stores `n` records and marks them as its progress, as the runner does per chunk. */
    const storeChunk = async (id: string, owner: string, n: number) => {
      await store.insertRecords(id, testRecords(n), 3);
      return store.renewValidation(id, owner, now + 1000, n);
    };

    it("does not count an attempt that got further than any before it as a strike", async () => {
      const id = await insertTestJob(store);
      expect(await claimAfterDeath("a")).toEqual({ attempts: 1, claims: 1 });
      expect(await storeChunk(id, "a", 2000)).toBe(true);
      // a died after 2,000 records: b starts afresh, its strike count too
      expect(await claimAfterDeath("b")).toEqual({ attempts: 1, claims: 2 });
      expect(await storeChunk(id, "b", 4000)).toBe(true);
      expect(await claimAfterDeath("c")).toEqual({ attempts: 1, claims: 3 });
      // a's and b's records are gone: c validates the file from a clean slate
      await store.insertRecords(id, testRecords(3), 3);
      expect(await store.finishValidation(id, 3, now)).toBe(true);
      expect((await store.getJob(id))?.counts.total).toBe(3);
      const claimed = await store.claimRecords({
        owner: "w",
        routes: [{ route: "r1", limit: 10 }],
        leaseMs: 1000,
        now,
      });
      expect(claimed).toHaveLength(3);
    });

    it("counts attempts that die exactly where the farthest one before did as strikes", async () => {
      const id = await insertTestJob(store);
      expect(await claimAfterDeath("a")).toEqual({ attempts: 1, claims: 1 });
      expect(await storeChunk(id, "a", 2000)).toBe(true);
      expect(await claimAfterDeath("b")).toEqual({ attempts: 1, claims: 2 });
      // b, c and d die at the same place (the poison line after the first chunk)
      for (const [owner, next, attempts] of [
        ["b", "c", 2],
        ["c", "d", 3],
        ["d", "e", 4],
      ] as const) {
        expect(await storeChunk(id, owner, 2000)).toBe(true);
        expect(await claimAfterDeath(next)).toEqual({ attempts, claims: attempts + 1 });
      }
    });

    it("does not count an attempt killed short of where the farthest one before got", async () => {
      const id = await insertTestJob(store);
      await claimAfterDeath("a");
      expect(await storeChunk(id, "a", 6000)).toBe(true);
      expect(await claimAfterDeath("b")).toEqual({ attempts: 1, claims: 2 });
      // b redoes the file from the start and is killed at 4,000, c before its first chunk
      expect(await storeChunk(id, "b", 4000)).toBe(true);
      expect(await claimAfterDeath("c")).toEqual({ attempts: 1, claims: 3 });
      expect(await claimAfterDeath("d")).toEqual({ attempts: 1, claims: 4 });
      // d dies where a did: that place is suspect now
      expect(await storeChunk(id, "d", 6000)).toBe(true);
      expect(await claimAfterDeath("e")).toEqual({ attempts: 2, claims: 5 });
    });

    it("keeps the progress of the lease's owner only", async () => {
      const id = await insertTestJob(store);
      await claimAfterDeath("a");
      expect(await claimAfterDeath("b")).toEqual({ attempts: 2, claims: 2 });
      // a was only slow, not dead: its lease is gone and so is its say
      expect(await storeChunk(id, "a", 5000)).toBe(false);
      expect(await claimAfterDeath("c")).toEqual({ attempts: 3, claims: 3 });
      // a renewal without progress (a retry pushed out) moves no mark either
      expect(await store.renewValidation(id, "c", now + 1000)).toBe(true);
      expect(await claimAfterDeath("d")).toEqual({ attempts: 4, claims: 4 });
    });

    it("counts every claim, progress or not, so a caller can bound them all", async () => {
      const id = await insertTestJob(store);
      for (let i = 1; i <= 12; i++) {
        expect(await claimAfterDeath(`h${i}`)).toEqual({ attempts: 1, claims: i });
        expect(await storeChunk(id, `h${i}`, i * 100)).toBe(true);
      }
      expect((await store.getJob(id))?.validationClaims).toBe(12);
    });
  });
}
