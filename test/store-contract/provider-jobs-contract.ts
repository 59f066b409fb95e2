import { beforeEach, describe, expect, it } from "vitest";
import { providerJobOwner } from "../../src/domain/provider-job.js";
import type { AttemptResult } from "../../src/domain/record.js";
import type { Store } from "../../src/store/store.js";
import { runningTestJob, T0 } from "./fixtures.js";

/**
 * Provider jobs (issue 13) on every engine: records claimed by `pj:<id>` and bound to it are
 * never taken back by a sweep (a provider may still run them), results are fenced as usual, and
 * a record given back gets a new attempt so the provider's late result is refused.
 */
export function describeProviderJobsContract(engine: string, openStore: () => Promise<Store>): void {
  describe(`store contract (provider jobs): ${engine}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await openStore();
      return () => store.close();
    });

    const newPj = async (id: string) =>
      store.createProviderJob({ id, route: "r1", model: "m", endpoint: "/v1/chat/completions", now: T0 });
    const claimFor = (id: string, limit: number, now = T0) =>
      store.claimRecords({
        owner: providerJobOwner(id),
        routes: [{ route: "r1", limit }],
        leaseMs: 60_000,
        now,
      });
    const ok = (recordId: number, attempt: number): AttemptResult => ({
      recordId,
      attempt,
      outcome: { kind: "succeeded", response: { statusCode: 200, requestId: null, body: "{}" }, usage: null },
    });

    it("walks the states by compare-and-set, stamping what each step learnt", async () => {
      await newPj("pj_a");
      expect(await store.moveProviderJob("pj_a", "packing", "uploading", T0 + 1)).toBe(true);
      expect(await store.moveProviderJob("pj_a", "packing", "uploading", T0 + 2)).toBe(false);
      await store.moveProviderJob("pj_a", "uploading", "submitting", T0 + 3);
      await store.moveProviderJob("pj_a", "submitting", "running", T0 + 4, { providerJobId: "batch_9" });
      const running = await store.getProviderJob("pj_a");
      expect(running).toMatchObject({
        state: "running",
        providerJobId: "batch_9",
        submittedAt: T0 + 4,
        endedAt: null,
      });
      await store.moveProviderJob("pj_a", "running", "ingesting", T0 + 5);
      await store.moveProviderJob("pj_a", "ingesting", "done", T0 + 6);
      expect(await store.getProviderJob("pj_a")).toMatchObject({
        state: "done",
        endedAt: T0 + 6,
        providerJobId: "batch_9",
      });
      expect((await store.listProviderJobs({ states: ["running"], limit: 10 })).length).toBe(0);
      expect((await store.listProviderJobs({ limit: 10 })).map((p) => p.id)).toEqual(["pj_a"]);
    });

    it("binds claimed records, counts them per Docket job, and no sweep takes them back", async () => {
      const jobA = await runningTestJob(store, 3);
      const jobB = await runningTestJob(store, 2);
      await newPj("pj_b");
      const claimed = await claimFor("pj_b", 5);
      expect(claimed.length).toBe(5);
      const bound = await store.bindProviderJobRecords(
        "pj_b",
        claimed.map((r) => ({ id: r.id, attempt: r.attempt, jobId: r.jobId })),
        { bytes: 100, estimatedTokens: 40 },
      );
      expect(bound).toBe(5);
      expect(await store.getProviderJob("pj_b")).toMatchObject({
        records: 5,
        bytes: 100,
        estimatedTokens: 40,
      });

      // A crash and restart: every lease is expired, and the sweep runs long after.
      await store.expireAllLeases(T0 + 1000);
      expect(await store.requeueExpiredLeases(T0 + 10 * 86_400_000)).toBe(0);
      const still = await store.readBoundRecords("pj_b", 0, 100);
      expect(still.map((r) => r.id)).toEqual(claimed.map((r) => r.id).sort((a, b) => a - b));
      expect(still.every((r) => r.body === "{}")).toBe(true);

      expect(await store.countBound("pj_b")).toBe(5);
      expect(await store.providerJobMembers("pj_b")).toEqual([jobA, jobB].sort());
      const shares = await store.providerJobsOfJob(jobA);
      expect(shares.map((s) => [s.providerJob.id, s.records])).toEqual([["pj_b", 3]]);
      expect((await store.providerJobsOfJob(jobB))[0]?.records).toBe(2);
    });

    it("leaves a record claimed but never bound to the sweep (a crash while packing)", async () => {
      await runningTestJob(store, 2);
      await newPj("pj_c");
      await claimFor("pj_c", 2);
      expect(await store.requeueExpiredLeases(T0 + 120_000)).toBe(2);
      expect(await store.readBoundRecords("pj_c", 0, 10)).toEqual([]);
    });

    it("fences results: a record given back and claimed again refuses the provider's late answer", async () => {
      const job = await runningTestJob(store, 2);
      await newPj("pj_d");
      const claimed = await claimFor("pj_d", 2);
      const held = claimed.map((r) => ({ id: r.id, attempt: r.attempt, jobId: r.jobId }));
      await store.bindProviderJobRecords("pj_d", held, { bytes: 4, estimatedTokens: 2 });
      // Pulled back for on-demand: given back, then a worker claims it (a new attempt).
      await store.releaseRecords(providerJobOwner("pj_d"), [held[0]!], T0 + 1);
      const worker = await store.claimRecords({
        owner: "w",
        routes: [{ route: "r1", limit: 5 }],
        leaseMs: 60_000,
        now: T0 + 2,
      });
      expect(worker.map((r) => r.id)).toEqual([held[0]!.id]);
      expect(
        (
          await store.boundAttempts(
            "pj_d",
            held.map((h) => h.id),
          )
        ).map((b) => b.id),
      ).toEqual([held[1]!.id]);
      // The provider's answers come late for both: only the still-bound one is accepted.
      const res = await store.recordResults(
        [ok(held[0]!.id, held[0]!.attempt), ok(held[1]!.id, held[1]!.attempt)],
        T0 + 3,
      );
      expect(res).toEqual({ accepted: 1, refused: [held[0]!.id] });
      await store.addProviderJobProgress(
        "pj_d",
        { ingested: 1, requeued: 0, usage: [{ jobId: job, succeeded: 1, inputTokens: 7, outputTokens: 3 }] },
        T0 + 4,
      );
      const [share] = await store.providerJobsOfJob(job);
      expect(share).toMatchObject({ records: 2, succeeded: 1, inputTokens: 7, outputTokens: 3 });
      expect((await store.getProviderJob("pj_d"))?.ingested).toBe(1);
    });

    /** Claims every runnable record of route r1 by the provider job's owner and binds them. */
    const bindAll = async (pjId: string, limit = 100) => {
      await newPj(pjId);
      const claimed = await claimFor(pjId, limit);
      const held = claimed.map((r) => ({ id: r.id, attempt: r.attempt, jobId: r.jobId }));
      await store.bindProviderJobRecords(pjId, held, { bytes: 1, estimatedTokens: 1 });
      return held;
    };
    const answer = (recordId: number, body: string, inputTokens: number, outputTokens: number) => ({
      recordId,
      outcome: {
        kind: "succeeded" as const,
        response: { statusCode: 200, requestId: null, body },
        usage: { inputTokens, outputTokens },
      },
    });
    const providerError = (recordId: number, retry: boolean) => ({
      recordId,
      outcome: retry
        ? {
            kind: "retry" as const,
            runAt: T0 + 50,
            response: null,
            error: { code: "overloaded", message: "later" },
          }
        : { kind: "failed" as const, response: null, error: { code: "invalid_request", message: "no" } },
    });

    it("writes a provider job's results once: fenced by binding, with tallies, progress and usage", async () => {
      const a = await runningTestJob(store, 4);
      const b = await runningTestJob(store, 2);
      const held = await bindAll("pj_w");
      const [a0, a1, a2, a3, b0, b1] = held.map((h) => h.id) as [
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      // a2 is pulled back for on-demand and claimed by a worker: the provider's answer is refused.
      await store.releaseRecords(providerJobOwner("pj_w"), [held[2]!], T0 + 1);
      await store.claimRecords({
        owner: "w",
        routes: [{ route: "r1", limit: 1 }],
        leaseMs: 60_000,
        now: T0 + 2,
      });
      const exact = '{"content": [1.0, "\\u00e9", "é😀"],  "usage": {"input_tokens": 7}}';
      const results = [
        answer(a0, exact, 7, 3),
        answer(a1, '{"first":true}', 1, 1),
        answer(a1, '{"second":true}', 100, 100), // a key answered twice is written once
        answer(a2, "{}", 1, 1),
        providerError(a3, false),
        providerError(b0, true),
        answer(b1, "{}", 2, 5),
        answer(999_999_999, "{}", 1, 1), // not a record of this provider job
      ];
      expect(await store.writeProviderResults("pj_w", results, T0 + 3)).toEqual({
        written: 5,
        requeued: 1,
        refused: 3,
      });
      // Ingesting again (a crash after the commit) writes nothing twice.
      expect(await store.writeProviderResults("pj_w", results, T0 + 4)).toEqual({
        written: 0,
        requeued: 0,
        refused: 8,
      });

      expect((await store.getJob(a))?.tally).toMatchObject({ succeeded: 2, failed: 1 });
      expect((await store.getJob(b))?.tally).toMatchObject({ succeeded: 1, failed: 0 });
      // a2 is the worker's now (running): only the three written here have ended.
      const finished = (await store.readFinished(a, -1, 10)).filter((f) => f.state !== "running");
      expect(finished.map((f) => [f.id, f.state, f.response?.body ?? null, f.error?.code ?? null])).toEqual([
        [a0, "succeeded", exact, null],
        [a1, "succeeded", '{"first":true}', null],
        [a3, "failed", null, "invalid_request"],
      ]);
      // The retry went back to pending, due at its run_at, for a later provider job.
      expect(await store.countRunnable("r1", T0 + 49, 10)).toBe(0);
      expect(await store.countRunnable("r1", T0 + 50, 10)).toBe(1);
      expect(await store.readBoundRecords("pj_w", 0, 10)).toEqual([]);
      expect(await store.getProviderJob("pj_w")).toMatchObject({ ingested: 5, requeued: 1 });
      const [shareA] = await store.providerJobsOfJob(a);
      expect(shareA).toMatchObject({ records: 4, succeeded: 2, inputTokens: 8, outputTokens: 4 });
      const [shareB] = await store.providerJobsOfJob(b);
      expect(shareB).toMatchObject({ records: 2, succeeded: 1, inputTokens: 2, outputTokens: 5 });
    });

    it("writes the results of a one-job provider job in batches of hundreds, fenced as with several jobs", async () => {
      // Over one statement's 500 rows, so a batch spans full and short statements.
      const job = await runningTestJob(store, 1_203);
      const held = await bindAll("pj_one", 2_000);
      expect(held.length).toBe(1_203);
      const ids = held.map((h) => h.id);
      // One record in the second statement is pulled back and claimed by a worker.
      await store.releaseRecords(providerJobOwner("pj_one"), [held[700]!], T0 + 1);
      await store.claimRecords({
        owner: "w",
        routes: [{ route: "r1", limit: 1 }],
        leaseMs: 60_000,
        now: T0 + 2,
      });
      const results = ids.map((id, i) =>
        i % 100 === 7 ? providerError(id, false) : answer(id, `{"n":${i}}`, 2, 3),
      );
      results.push(providerError(ids[5]!, true)); // a second answer for one id: refused
      expect(await store.writeProviderResults("pj_one", results, T0 + 3)).toEqual({
        written: 1_202,
        requeued: 0,
        refused: 2,
      });
      expect(await store.writeProviderResults("pj_one", results, T0 + 4)).toEqual({
        written: 0,
        requeued: 0,
        refused: 1_204,
      });
      const failed = ids.filter((_, i) => i % 100 === 7).length;
      const after = await store.getJob(job);
      expect(after?.tally).toMatchObject({ succeeded: 1_202 - failed, failed });
      expect(after?.usage).toEqual({ inputTokens: 2 * (1_202 - failed), outputTokens: 3 * (1_202 - failed) });
      const [share] = await store.providerJobsOfJob(job);
      expect(share).toMatchObject({
        records: 1_203,
        succeeded: 1_202 - failed,
        inputTokens: 2 * (1_202 - failed),
      });
      expect(await store.getProviderJob("pj_one")).toMatchObject({ ingested: 1_202, requeued: 0 });
      expect(await store.readBoundRecords("pj_one", 0, 10)).toEqual([]);
      // Every written record holds its own answer; the pulled-back one is the worker's.
      const finished = await store.readFinished(job, -1, 2_000);
      const byId = new Map(finished.map((f) => [f.id, f]));
      expect(byId.get(ids[0]!)?.response?.body).toBe('{"n":0}');
      expect(byId.get(ids[1_202]!)?.response?.body).toBe('{"n":1202}');
      expect(byId.get(ids[7]!)).toMatchObject({ state: "failed" });
      expect(byId.get(ids[700]!)?.state ?? "running").toBe("running");
    });

    it("ends a provider's retry failed when its attempts are used up, cancelled when its job is stopping", async () => {
      const spent = await runningTestJob(store, 1, { maxAttempts: 1 });
      const stopping = await runningTestJob(store, 1);
      const [s0, c0] = (await bindAll("pj_x")).map((h) => h.id) as [number, number];
      await store.cancelJob(stopping, T0 + 1);
      expect(
        await store.writeProviderResults("pj_x", [providerError(s0, true), providerError(c0, true)], T0 + 2),
      ).toEqual({ written: 2, requeued: 2, refused: 0 });
      expect((await store.getJob(spent))?.tally).toMatchObject({ failed: 1 });
      expect((await store.getJob(stopping))?.tally).toMatchObject({ cancelled: 1 });
      expect(await store.countRunnable("r1", T0 + 100, 10)).toBe(0);
    });

    it("does not bind a record whose attempt moved on", async () => {
      await runningTestJob(store, 1);
      await newPj("pj_e");
      const [r] = await claimFor("pj_e", 1);
      expect(
        await store.bindProviderJobRecords(
          "pj_e",
          [{ id: r!.id, attempt: r!.attempt + 1, jobId: r!.jobId }],
          { bytes: 1, estimatedTokens: 1 },
        ),
      ).toBe(0);
      expect((await store.getProviderJob("pj_e"))?.records).toBe(0);
    });

    it("counts runnable records, lists the jobs waiting on a route, and moves a job's pending records", async () => {
      const a = await runningTestJob(store, 3);
      const b = await runningTestJob(store, 2);
      expect(await store.countRunnable("r1", T0, 100)).toBe(5);
      expect(await store.countRunnable("r1", T0, 4)).toBe(4);
      expect(await store.countRunnable("r2", T0, 100)).toBe(0);
      const waiting = await store.jobsWaitingOn("r1", 10);
      expect(waiting.map((w) => [w.jobId, w.pending, w.kind, w.expiresAt])).toEqual([
        [a, 3, "batch", T0 + 86_400_000],
        [b, 2, "batch", T0 + 86_400_000],
      ]);
      // A running record stays where it is: only pending ones move.
      await store.claimRecords({ owner: "w", routes: [{ route: "r1", limit: 1 }], leaseMs: 60_000, now: T0 });
      expect(await store.rerouteRecords(a, "r1", "r2")).toBe(2);
      expect(await store.countRunnable("r2", T0, 100)).toBe(2);
      expect((await store.jobsWaitingOn("r1", 10)).map((w) => [w.jobId, w.pending])).toEqual([[b, 2]]);
    });

    it("binds nothing to a provider job that left packing (a new leader ended it)", async () => {
      await runningTestJob(store, 2);
      await newPj("pj_f");
      const claimed = await claimFor("pj_f", 2);
      await store.moveProviderJob("pj_f", "packing", "cancelled", T0 + 1);
      const held = claimed.map((r) => ({ id: r.id, attempt: r.attempt, jobId: r.jobId }));
      expect(await store.bindProviderJobRecords("pj_f", held, { bytes: 1, estimatedTokens: 1 })).toBe(0);
      // Not bound: the claim's lease lapses and the sweep takes them back.
      expect(await store.requeueExpiredLeases(T0 + 120_000)).toBe(2);
    });
  });
}
