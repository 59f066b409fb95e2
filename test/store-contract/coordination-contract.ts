import { beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/store.js";

/**
 * Leader leases and the worker registry (migration 0002), run on each engine. Times are
 * explicit, so lease expiry is tested without sleeping.
 */
export function describeCoordinationContract(engine: string, openStore: () => Promise<Store>): void {
  describe(`coordination contract: ${engine}`, () => {
    const T0 = 1_700_000_000_000;
    let store: Store;

    beforeEach(async () => {
      store = await openStore();
      return () => store.close();
    });

    it("gives a free lead to the first asker and keeps others out while the lease runs", async () => {
      expect(await store.tryLead("maintenance", "a", 1000, T0)).toBe(true);
      expect(await store.tryLead("maintenance", "b", 1000, T0 + 500)).toBe(false);
      // renewal by the holder extends the lease
      expect(await store.tryLead("maintenance", "a", 1000, T0 + 900)).toBe(true);
      expect(await store.tryLead("maintenance", "b", 1000, T0 + 1500)).toBe(false);
      // different duties are led independently
      expect(await store.tryLead("other-duty", "b", 1000, T0 + 1500)).toBe(true);
    });

    it("hands the lead over once the holder stops renewing", async () => {
      expect(await store.tryLead("maintenance", "a", 1000, T0)).toBe(true);
      expect(await store.tryLead("maintenance", "b", 1000, T0 + 1001)).toBe(true);
      // the old holder, back from a pause, finds it lost the lead
      expect(await store.tryLead("maintenance", "a", 1000, T0 + 1002)).toBe(false);
    });

    it("lets exactly one of many simultaneous askers lead", async () => {
      const owners = Array.from({ length: 8 }, (_, i) => `w${i}`);
      const won = await Promise.all(owners.map((o) => store.tryLead("maintenance", o, 1000, T0)));
      expect(won.filter(Boolean)).toHaveLength(1);
    });

    it("frees the lead at once when the holder resigns, and only the holder can", async () => {
      expect(await store.tryLead("maintenance", "a", 60_000, T0)).toBe(true);
      await store.resignLead("maintenance", "b");
      expect(await store.tryLead("maintenance", "b", 60_000, T0 + 1)).toBe(false);
      await store.resignLead("maintenance", "a");
      expect(await store.tryLead("maintenance", "b", 60_000, T0 + 2)).toBe(true);
    });

    it("counts worker processes whose heartbeat is recent", async () => {
      expect(await store.liveWorkers(T0, 1000)).toBe(0);
      await store.heartbeatWorker("a", ["r1"], T0);
      await store.heartbeatWorker("b", ["r1", "r2"], T0 + 400);
      expect(await store.liveWorkers(T0 + 500, 1000)).toBe(2);
      // a's heartbeat is now too old; a second heartbeat from b does not count twice
      await store.heartbeatWorker("b", ["r1", "r2"], T0 + 1200);
      expect(await store.liveWorkers(T0 + 1300, 1000)).toBe(1);
      // a comes back
      await store.heartbeatWorker("a", ["r1"], T0 + 1300);
      expect(await store.liveWorkers(T0 + 1300, 1000)).toBe(2);
    });

    it("forgets a worker that says goodbye, and ones silent for over an hour", async () => {
      await store.heartbeatWorker("a", ["r1"], T0);
      await store.heartbeatWorker("b", ["r1"], T0);
      await store.forgetWorker("a");
      expect(await store.liveWorkers(T0, 1000)).toBe(1);
      // b crashed long ago; c's heartbeat sweeps it away, so even a huge window sees only c
      await store.heartbeatWorker("c", ["r1"], T0 + 2 * 3_600_000);
      expect(await store.liveWorkers(T0 + 2 * 3_600_000, 10 * 3_600_000)).toBe(1);
    });
  });
}
