import { beforeEach, describe, expect, it } from "vitest";
import type { BlobStore } from "../../src/blobs/blob-store.js";
import { providerJobOwner } from "../../src/domain/provider-job.js";
import { RetentionSweep } from "../../src/duties/retention-sweep.js";
import type { Store } from "../../src/store/store.js";
import { runningTestJob, T0 } from "./fixtures.js";

/**
 * Retention of provider jobs (issue 13) on every engine: an ended provider job goes, with its
 * per-Docket-job shares, once its Docket jobs are all gone, or once it ended longer ago than the
 * retention and its Docket jobs have all ended; never while one of them is still running (its
 * batch usage is that job's budget spend and cost report), nor while it holds a bound record.
 */
export function describeProviderJobRetentionContract(engine: string, openStore: () => Promise<Store>): void {
  describe(`store contract (provider job retention): ${engine}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await openStore();
      return () => store.close();
    });

    const newPj = (id: string) =>
      store.createProviderJob({ id, route: "r1", model: "m", endpoint: "/v1/chat/completions", now: T0 });

    /** A Docket job of `n` records, all run in provider job `pjId`, which ended at `endedAt`. */
    async function ranIn(pjId: string, n: number, endedAt: number): Promise<string> {
      const jobId = await runningTestJob(store, n);
      await newPj(pjId);
      const claimed = await store.claimRecords({
        owner: providerJobOwner(pjId),
        routes: [{ route: "r1", limit: n }],
        leaseMs: 60_000,
        now: T0,
      });
      const held = claimed.map((r) => ({ id: r.id, attempt: r.attempt, jobId: r.jobId }));
      expect(await store.bindProviderJobRecords(pjId, held, { bytes: n, estimatedTokens: n })).toBe(n);
      await store.moveProviderJob(pjId, "packing", "uploading", T0 + 1);
      await store.moveProviderJob(pjId, "uploading", "running", T0 + 2, { providerJobId: `p-${pjId}` });
      await store.moveProviderJob(pjId, "running", "ingesting", endedAt - 2);
      await store.recordResults(
        held.map((h) => ({
          recordId: h.id,
          attempt: h.attempt,
          outcome: {
            kind: "succeeded",
            response: { statusCode: 200, requestId: null, body: "{}" },
            usage: null,
          },
        })),
        endedAt - 1,
      );
      await store.addProviderJobProgress(
        pjId,
        { ingested: n, requeued: 0, usage: [{ jobId, succeeded: n, inputTokens: 3 * n, outputTokens: n }] },
        endedAt - 1,
      );
      expect(await store.moveProviderJob(pjId, "ingesting", "done", endedAt)).toBe(true);
      return jobId;
    }

    /** Ends a Docket job whose records all ended (finalized with no files). */
    async function endJob(jobId: string, at: number): Promise<void> {
      expect((await store.claimFinalizable(at)).map((j) => j.id)).toEqual([jobId]);
      await store.completeFinalize(jobId, { endStatus: "completed", outputFile: null, errorFile: null }, at);
    }

    it("keeps a provider job while a Docket job it ran is in progress; prunes it once retention passed and its jobs ended", async () => {
      const job = await ranIn("pj_kept", 2, T0 + 100);
      // Ended long ago, but its Docket job is still in progress: its batch usage is that job's spend.
      expect(await store.pruneProviderJobs(T0 + 1e9, 10, 1_000)).toBe(0);
      await endJob(job, T0 + 200);
      // Ended at T0+100: within a 1,000 ms retention at T0+1,050, past it at T0+1,100.
      expect(await store.pruneProviderJobs(T0 + 1_050, 10, 1_000)).toBe(0);
      expect(await store.pruneProviderJobs(T0 + 1_100, 10, 1_000)).toBe(1);
      expect(await store.getProviderJob("pj_kept")).toBeUndefined();
      expect(await store.providerJobsOfJob(job)).toEqual([]);
      expect(await store.providerJobMembers("pj_kept")).toEqual([]);
      // The Docket job itself is retention's other business.
      expect((await store.getJob(job))?.status).toBe("completed");
    });

    it("prunes a provider job whose Docket jobs are all gone, whatever the retention", async () => {
      const job = await ranIn("pj_orphan", 2, T0 + 100);
      await endJob(job, T0 + 200);
      expect(await store.pruneProviderJobs(T0 + 300, 10, 1e12)).toBe(0);
      expect((await store.pruneExpired(T0 + 300, 10, 0)).jobs).toBe(1);
      expect(await store.pruneProviderJobs(T0 + 300, 10, 1e12)).toBe(1);
      expect(await store.getProviderJob("pj_orphan")).toBeUndefined();
      expect(await store.providerJobMembers("pj_orphan")).toEqual([]);
    });

    it("is pruned by the retention sweep right after the last of its Docket jobs", async () => {
      const job = await ranIn("pj_swept", 3, T0 + 100);
      await endJob(job, T0 + 200);
      // No blobs: the job was finalized without files.
      const blobs = { delete: async () => {} } as unknown as BlobStore;
      const sweep = new RetentionSweep({ store, blobs, retainJobsMs: 0 });
      expect(await sweep.sweep(T0 + 300)).toEqual({ files: 0, jobs: 1, providerJobs: 1 });
      expect(await store.getProviderJob("pj_swept")).toBeUndefined();
    });

    it("never prunes an open provider job, nor one holding a bound record, and goes in bounded steps", async () => {
      await newPj("pj_open");
      // Ended while packing, before its record was given back (a crash between the two).
      await runningTestJob(store, 1);
      await newPj("pj_bound");
      const [r] = await store.claimRecords({
        owner: providerJobOwner("pj_bound"),
        routes: [{ route: "r1", limit: 1 }],
        leaseMs: 60_000,
        now: T0,
      });
      await store.bindProviderJobRecords("pj_bound", [{ id: r!.id, attempt: r!.attempt, jobId: r!.jobId }], {
        bytes: 1,
        estimatedTokens: 1,
      });
      await store.moveProviderJob("pj_bound", "packing", "cancelled", T0 + 1);
      // Three that ended with nothing bound to them ever (nothing was runnable).
      for (const id of ["pj_e1", "pj_e2", "pj_e3"]) {
        await newPj(id);
        await store.moveProviderJob(id, "packing", "cancelled", T0 + 1);
      }
      expect(await store.pruneProviderJobs(T0 + 1e9, 2, 0)).toBe(2);
      expect(await store.pruneProviderJobs(T0 + 1e9, 2, 0)).toBe(1);
      expect(await store.pruneProviderJobs(T0 + 1e9, 2, 0)).toBe(0);
      const left = await store.listProviderJobs({ limit: 10 });
      expect(left.map((p) => p.id).sort()).toEqual(["pj_bound", "pj_open"]);
      expect(await store.countBound("pj_bound")).toBe(1);
    });
  });
}
