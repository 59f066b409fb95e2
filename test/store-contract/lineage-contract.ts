import { beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/store.js";
import { insertTestJob, T0 } from "./fixtures.js";

/**
 * Retry lineage (issue 14, docs/lineage.md) on every engine: a child names its parent and keeps
 * its pinned route, children list oldest first with a cursor, and a lineage is walked down in
 * creation order within a limit.
 */
export function describeLineageContract(engine: string, openStore: () => Promise<Store>): void {
  describe(`store contract (lineage): ${engine}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await openStore();
      return () => store.close();
    });

    const child = (id: string, parentJobId: string, createdAt = T0, pinnedRoute: string | null = null) =>
      insertTestJob(store, { id, parentJobId, pinnedRoute, createdAt });

    it("keeps a child's parent and pinned route, and none on a batch made from a file", async () => {
      await insertTestJob(store, { id: "batch_root" });
      await child("batch_kid", "batch_root", T0 + 1, "cheap-route");
      expect(await store.getJob("batch_root")).toMatchObject({ parentJobId: null, pinnedRoute: null });
      expect(await store.getJob("batch_kid")).toMatchObject({
        parentJobId: "batch_root",
        pinnedRoute: "cheap-route",
      });
      const listed = await store.listJobs({ limit: 10 });
      expect(listed.map((j) => [j.id, j.parentJobId])).toEqual([
        ["batch_kid", "batch_root"],
        ["batch_root", null],
      ]);
    });

    it("lists a batch's children oldest first, paged by the last one's id", async () => {
      await insertTestJob(store, { id: "batch_p" });
      await insertTestJob(store, { id: "batch_other" });
      for (const n of [1, 2, 3, 4, 5]) await child(`batch_c${n}`, "batch_p", T0 + n);
      await child("batch_x", "batch_other");
      await child("batch_grandchild", "batch_c2");
      const ids = async (after?: string, limit = 2) =>
        (await store.listChildJobs("batch_p", { limit, ...(after ? { after } : {}) })).map((j) => j.id);
      expect(await ids()).toEqual(["batch_c1", "batch_c2"]);
      expect(await ids("batch_c2")).toEqual(["batch_c3", "batch_c4"]);
      expect(await ids("batch_c4")).toEqual(["batch_c5"]);
      expect(await ids("batch_c5")).toEqual([]);
      expect(await ids(undefined, 100)).toHaveLength(5);
      expect(await store.listChildJobs("batch_c5", { limit: 10 })).toEqual([]);
      expect(await store.listChildJobs("batch_unknown", { limit: 10 })).toEqual([]);
    });

    it("walks a lineage down in creation order, root first, within a limit", async () => {
      await insertTestJob(store, { id: "batch_r" });
      await insertTestJob(store, { id: "batch_unrelated" });
      await child("batch_a", "batch_r");
      await child("batch_b", "batch_r");
      await child("batch_a1", "batch_a");
      await child("batch_a1x", "batch_a1");
      await child("batch_b1", "batch_b");
      const all = await store.listLineage("batch_r", 100);
      expect(all.map((j) => j.id)).toEqual([
        "batch_r",
        "batch_a",
        "batch_b",
        "batch_a1",
        "batch_a1x",
        "batch_b1",
      ]);
      expect(all.map((j) => j.parentJobId)).toEqual([
        null,
        "batch_r",
        "batch_r",
        "batch_a",
        "batch_a1",
        "batch_b",
      ]);
      // from a middle batch: only its own subtree
      expect((await store.listLineage("batch_a", 100)).map((j) => j.id)).toEqual([
        "batch_a",
        "batch_a1",
        "batch_a1x",
      ]);
      expect(await store.listLineage("batch_r", 3)).toHaveLength(3);
      expect((await store.listLineage("batch_r", 1)).map((j) => j.id)).toEqual(["batch_r"]);
      expect(await store.listLineage("batch_nope", 10)).toEqual([]);
    });

    it("keeps the children of a deleted parent, still naming it", async () => {
      await insertTestJob(store, { id: "batch_gone" });
      await child("batch_left", "batch_gone");
      await store.claimValidation("validator", 30_000, T0);
      await store.failValidation("batch_gone", [], T0);
      expect(await store.deleteJob("batch_gone")).toBe(true);
      expect((await store.getJob("batch_left"))?.parentJobId).toBe("batch_gone");
      expect((await store.listChildJobs("batch_gone", { limit: 10 })).map((j) => j.id)).toEqual([
        "batch_left",
      ]);
      expect(await store.listLineage("batch_gone", 10)).toEqual([]);
    });
  });
}
