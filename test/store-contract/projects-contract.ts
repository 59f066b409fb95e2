import { beforeEach, describe, expect, it } from "vitest";
import type { AttemptResult } from "../../src/domain/record.js";
import type { Store } from "../../src/store/store.js";
import { insertTestJob, runningTestJob, T0 } from "./fixtures.js";

/**
 * Per-project quotas and fair sharing (issue 15) on every engine: the usage figures quotas are
 * checked against, and a claim that shares a route between projects before jobs.
 */
export function describeProjectsContract(engine: string, openStore: () => Promise<Store>): void {
  describe(`store contract (projects: usage and fair claims): ${engine}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await openStore();
      return () => store.close();
    });

    const claim = (limit: number, weights?: { byProject: Record<string, number>; defaultWeight: number }) =>
      store.claimRecords({
        owner: "w",
        routes: [{ route: "r1", limit }],
        leaseMs: 30_000,
        now: T0,
        ...(weights ? { projectWeights: weights } : {}),
      });
    const jobIn = (projectId: string, n: number) => runningTestJob(store, n, { over: { projectId } });
    const done = (recordId: number, attempt: number): AttemptResult => ({
      recordId,
      attempt,
      outcome: { kind: "succeeded", response: { statusCode: 200, requestId: "r", body: "{}" }, usage: null },
    });

    it("counts a project's open jobs, queued records and stored bytes, and nothing of another's", async () => {
      expect(await store.projectUsage("team-a")).toEqual({ openJobs: 0, queuedRecords: 0, storedBytes: 0 });
      const first = await jobIn("team-a", 5);
      await jobIn("team-a", 3);
      await insertTestJob(store, { projectId: "team-a" }); // validating: open, no records yet
      await jobIn("team-b", 7);
      for (const [i, [projectId, bytes]] of (
        [
          ["team-a", 100],
          ["team-a", 23],
          ["team-b", 1000],
        ] as const
      ).entries()) {
        await store.insertFile({
          projectId,
          id: `file-${i}`,
          filename: "f.jsonl",
          purpose: "batch",
          bytes,
          blobKey: `files/file-${i}`,
          createdAt: T0,
          expiresAt: null,
        });
      }
      expect(await store.projectUsage("team-a")).toEqual({ openJobs: 3, queuedRecords: 8, storedBytes: 123 });
      expect(await store.projectUsage("team-b")).toEqual({
        openJobs: 1,
        queuedRecords: 7,
        storedBytes: 1000,
      });

      // Finished records leave the queue; running ones are still queued.
      const ofFirst = (await claim(20)).filter((r) => r.jobId === first).slice(0, 3);
      expect(ofFirst).toHaveLength(3);
      await store.recordResults(
        ofFirst.map((r) => done(r.id, r.attempt)),
        T0 + 1,
      );
      expect((await store.projectUsage("team-a")).queuedRecords).toBe(5);
      expect((await store.projectUsage("team-b")).queuedRecords).toBe(7);
    });

    it("gives a project with one job the same share of a claim as a project with twenty", async () => {
      for (let i = 0; i < 20; i++) await jobIn("big", 50);
      const small = await jobIn("small", 100);
      const got = await claim(40);
      expect(got).toHaveLength(40);
      expect(got.filter((r) => r.jobId === small)).toHaveLength(20);
      // Within the big project, its half is spread over its jobs (one each), not taken from the first.
      expect(new Set(got.filter((r) => r.jobId !== small).map((r) => r.jobId)).size).toBe(20);
      // A claim smaller than the big project's job count still gives the small project its half.
      const few = await claim(4);
      expect(few.filter((r) => r.jobId === small)).toHaveLength(2);
    });

    it("shares by weight, and a project's unused share is filled by the others", async () => {
      const heavy = await jobIn("heavy", 100);
      const light = await jobIn("light", 100);
      const got = await claim(40, { byProject: { heavy: 3 }, defaultWeight: 1 });
      expect(got.filter((r) => r.jobId === heavy)).toHaveLength(30);
      expect(got.filter((r) => r.jobId === light)).toHaveLength(10);

      const tiny = await jobIn("tiny", 2);
      const next = await claim(30);
      expect(next).toHaveLength(30);
      expect(next.filter((r) => r.jobId === tiny)).toHaveLength(2);
      // heavy is first in job order, so it fills what tiny could not use.
      expect(next.filter((r) => r.jobId === heavy)).toHaveLength(18);
      expect(next.filter((r) => r.jobId === light)).toHaveLength(10);
    });
  });
}
