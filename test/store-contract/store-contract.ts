import { beforeEach, describe, expect, it } from "vitest";
import type { AttemptResult, NewRecord } from "../../src/domain/record.js";
import type { Store } from "../../src/store/store.js";
import { insertTestJob, T0 } from "./fixtures.js";
import { describeLineageContract } from "./lineage-contract.js";
import { describePartialResultsContract } from "./partial-results-contract.js";
import { describeValidationAttemptsContract } from "./validation-attempts-contract.js";

/**
 * Every store behaviour, written once and run on each engine (SQLite, PostgreSQL).
 * Times are explicit (`T0` + offsets) so lease and expiry logic is tested without sleeping.
 */
export function describeStoreContract(engine: string, openStore: () => Promise<Store>): void {
  describeLineageContract(engine, openStore);
  describePartialResultsContract(engine, openStore);
  describeValidationAttemptsContract(engine, openStore);
  describe(`store contract: ${engine}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await openStore();
      return () => store.close();
    });

    async function jobWith(
      n: number,
      opts: { route?: string; maxAttempts?: number; expiresAt?: number } = {},
    ) {
      const id = await insertTestJob(store, {
        metadata: { team: "data" },
        expiresAt: opts.expiresAt ?? T0 + 86_400_000,
      });
      const claimed = await store.claimValidation("validator", 30_000, T0);
      expect(claimed?.id).toBe(id);
      await store.insertRecords(id, records(n, opts.route ?? "r1"), opts.maxAttempts ?? 3);
      expect(await store.finishValidation(id, n, T0)).toBe(true);
      return id;
    }

    const claim = (limit: number, now = T0, owner = "w1", route = "r1") =>
      store.claimRecords({ owner, routes: [{ route, limit }], leaseMs: 10_000, now });

    const ok = (recordId: number, attempt: number, body = `{"n":${recordId}}`): AttemptResult => ({
      recordId,
      attempt,
      outcome: {
        kind: "succeeded",
        response: { statusCode: 200, requestId: "req", body },
        usage: { inputTokens: 3, outputTokens: 5 },
      },
    });

    it("stores files and pages them newest first", async () => {
      for (let i = 0; i < 3; i++) {
        await store.insertFile({
          projectId: "default",
          id: `file-${i}`,
          filename: `f${i}.jsonl`,
          purpose: "batch",
          bytes: 10 + i,
          blobKey: `files/file-${i}`,
          createdAt: T0 + i,
          expiresAt: null,
        });
      }
      expect((await store.getFile("file-1"))?.bytes).toBe(11);
      const page1 = await store.listFiles({ limit: 2 });
      expect(page1.map((f) => f.id)).toEqual(["file-2", "file-1"]);
      const page2 = await store.listFiles({ limit: 2, after: "file-1" });
      expect(page2.map((f) => f.id)).toEqual(["file-0"]);
      // OpenAI's files.list({ order: "asc" }): oldest first, `after` moving forward.
      expect((await store.listFiles({ limit: 2, order: "asc" })).map((f) => f.id)).toEqual([
        "file-0",
        "file-1",
      ]);
      expect((await store.listFiles({ limit: 2, order: "asc", after: "file-1" })).map((f) => f.id)).toEqual([
        "file-2",
      ]);
      expect(await store.deleteFile("file-1")).toBe(true);
      expect(await store.getFile("file-1")).toBeUndefined();
      expect(await store.deleteFile("file-1")).toBe(false);
    });

    it("creates jobs in validating and lists them newest first", async () => {
      const a = await jobWith(1);
      const b = await jobWith(1);
      const jobs = await store.listJobs({ limit: 10 });
      expect(jobs.map((j) => j.id)).toEqual([b, a]);
      expect((await store.listJobs({ limit: 10, after: b })).map((j) => j.id)).toEqual([a]);
      const job = await store.getJob(a);
      expect(job).toMatchObject({ status: "in_progress", counts: { total: 1, completed: 0, failed: 0 } });
      expect(job?.metadata).toEqual({ team: "data" });
    });

    it("hands a validation to one owner at a time and to another after its lease", async () => {
      const id = await insertTestJob(store, {
        inputFileId: "f",
        expiresAt: T0 + 1e9,
        endpoint: "/v1/embeddings",
      });
      expect((await store.claimValidation("a", 1000, T0))?.id).toBe(id);
      expect(await store.claimValidation("b", 1000, T0 + 500)).toBeUndefined();
      await store.insertRecords(id, records(5, "r1"), 3);
      // a dies; b takes over and must not see a's half-inserted records
      expect((await store.claimValidation("b", 1000, T0 + 2000))?.id).toBe(id);
      expect(await store.renewValidation(id, "a", T0 + 9000)).toBe(false);
      await store.insertRecords(id, records(2, "r1"), 3);
      expect(await store.finishValidation(id, 2, T0 + 2100)).toBe(true);
      expect(await claim(10, T0 + 3000)).toHaveLength(2);
    });

    it("fails validation with its errors and keeps no records", async () => {
      const id = await insertTestJob(store, { inputFileId: "f", expiresAt: T0 + 1e9 });
      await store.claimValidation("v", 1000, T0);
      await store.insertRecords(id, records(3, "r1"), 3);
      await store.failValidation(
        id,
        [{ code: "invalid_json", message: "bad", line: 2, param: null }],
        T0 + 5,
      );
      const job = await store.getJob(id);
      expect(job?.status).toBe("failed");
      expect(job?.failedAt).toBe(T0 + 5);
      expect(job?.errors).toEqual([{ code: "invalid_json", message: "bad", line: 2, param: null }]);
      expect(await claim(10)).toHaveLength(0);
    });

    it("claims in input order, never the same record twice, within the limit", async () => {
      const id = await jobWith(10);
      const first = await claim(4);
      const second = await claim(4, T0, "w2");
      const third = await claim(4, T0, "w3");
      expect(first.map((r) => r.customId)).toEqual(["c0", "c1", "c2", "c3"]);
      expect(second.map((r) => r.customId)).toEqual(["c4", "c5", "c6", "c7"]);
      expect(third.map((r) => r.customId)).toEqual(["c8", "c9"]);
      expect(first[0]).toMatchObject({
        jobId: id,
        route: "r1",
        endpoint: "/v1/chat/completions",
        attempt: 1,
      });
      expect(JSON.parse(first[0]!.body)).toEqual({ model: "m", i: 0 });
      expect(await claim(4)).toHaveLength(0);
    });

    it("claims only the routes asked for", async () => {
      await jobWith(3, { route: "a" });
      await jobWith(3, { route: "b" });
      const got = await store.claimRecords({
        owner: "w",
        routes: [{ route: "b", limit: 10 }],
        leaseMs: 1,
        now: T0,
      });
      expect(got.map((r) => r.route)).toEqual(["b", "b", "b"]);
    });

    it("shares claims fairly between jobs", async () => {
      const big = await jobWith(100);
      const small = await jobWith(4);
      const got = await claim(8);
      expect(got.filter((r) => r.jobId === small)).toHaveLength(4);
      expect(got.filter((r) => r.jobId === big)).toHaveLength(4);
    });

    it("stores a result exactly once and counts it", async () => {
      const id = await jobWith(2);
      const [a, b] = await claim(2);
      const res = await store.recordResults([ok(a!.id, a!.attempt), ok(b!.id, b!.attempt)], T0 + 1);
      expect(res).toEqual({ accepted: 2, refused: [] });
      const again = await store.recordResults([ok(a!.id, a!.attempt)], T0 + 2);
      expect(again).toEqual({ accepted: 0, refused: [a!.id] });
      const job = await store.getJob(id);
      expect(job?.counts).toEqual({ total: 2, completed: 2, failed: 0 });
      expect(job?.usage).toEqual({ inputTokens: 6, outputTokens: 10 });
    });

    it("fences a stale attempt after its lease expired and the record was claimed again", async () => {
      await jobWith(1);
      const [first] = await claim(1, T0, "w1");
      expect(await store.requeueExpiredLeases(T0 + 5_000)).toBe(0);
      expect(await store.requeueExpiredLeases(T0 + 10_001)).toBe(1);
      const [second] = await claim(1, T0 + 10_002, "w2");
      expect(second!.id).toBe(first!.id);
      expect(second!.attempt).toBe(first!.attempt + 1);
      // the first worker's late answer is refused; the current one is accepted
      expect(
        (await store.recordResults([ok(first!.id, first!.attempt, "stale")], T0 + 10_003)).refused,
      ).toEqual([first!.id]);
      expect(
        (await store.recordResults([ok(second!.id, second!.attempt, "fresh")], T0 + 10_004)).accepted,
      ).toBe(1);
      const [done] = await finishedOf(await onlyJob());
      expect(done?.response?.body).toBe("fresh");
    });

    it("renews held leases and reports lost ones", async () => {
      await jobWith(2);
      const [a, b] = await claim(2, T0, "w1");
      const lost = await store.renewLeases(
        "w1",
        [
          { id: a!.id, attempt: a!.attempt },
          { id: b!.id, attempt: b!.attempt + 7 },
        ],
        T0 + 60_000,
      );
      expect(lost).toEqual([b!.id]);
      // a's lease was extended, so a sweep at T0+20s leaves it alone but requeues b
      expect(await store.requeueExpiredLeases(T0 + 20_000)).toBe(1);
      const again = await claim(5, T0 + 20_001, "w2");
      expect(again.map((r) => r.id)).toEqual([b!.id]);
    });

    it("retries later, then fails once attempts are exhausted", async () => {
      const id = await jobWith(1, { maxAttempts: 2 });
      const [r1] = await claim(1);
      const retry = (r: { id: number; attempt: number }, runAt: number): AttemptResult => ({
        recordId: r.id,
        attempt: r.attempt,
        outcome: {
          kind: "retry",
          runAt,
          response: { statusCode: 429, requestId: null, body: '{"error":{}}' },
          error: { code: "http_429", message: "slow down" },
        },
      });
      await store.recordResults([retry(r1!, T0 + 1000)], T0);
      expect(await claim(1, T0 + 999)).toHaveLength(0);
      expect(await store.nextRunAt(["r1"])).toBe(T0 + 1000);
      const [r2] = await claim(1, T0 + 1000);
      expect(r2!.attempt).toBe(2);
      await store.recordResults([retry(r2!, T0 + 2000)], T0 + 1001);
      expect(await claim(1, T0 + 5000)).toHaveLength(0);
      const job = await store.getJob(id);
      expect(job?.counts).toEqual({ total: 1, completed: 0, failed: 1 });
      const [rec] = await finishedOf(id);
      expect(rec).toMatchObject({
        state: "failed",
        error: { code: "http_429" },
        response: { statusCode: 429 },
      });
    });

    it("fails a record at once on a final failure, keeping the backend's answer", async () => {
      const id = await jobWith(1);
      const [r] = await claim(1);
      await store.recordResults(
        [
          {
            recordId: r!.id,
            attempt: r!.attempt,
            outcome: {
              kind: "failed",
              response: { statusCode: 400, requestId: "x", body: '{"error":{"message":"bad"}}' },
              error: { code: "http_400", message: "bad" },
            },
          },
        ],
        T0,
      );
      const [rec] = await finishedOf(id);
      expect(rec).toMatchObject({
        state: "failed",
        response: { statusCode: 400, body: '{"error":{"message":"bad"}}' },
      });
    });

    it("ends every lease at once for a process that knows it is alone", async () => {
      await jobWith(3);
      const held = await claim(2, T0, "dead-process");
      await store.expireAllLeases(T0 + 1);
      expect(await store.requeueExpiredLeases(T0 + 1)).toBe(2);
      const again = await claim(3, T0 + 2, "new-process");
      expect(again.map((r) => r.id).sort()).toEqual(
        [...held.map((r) => r.id), again.find((r) => !held.some((h) => h.id === r.id))!.id].sort(),
      );
      expect(again.filter((r) => held.some((h) => h.id === r.id)).every((r) => r.attempt === 2)).toBe(true);
      // a validation held by the dead process is free again too
      const id = await insertTestJob(store, {
        inputFileId: "f",
        expiresAt: T0 + 1e9,
        endpoint: "/v1/embeddings",
      });
      expect((await store.claimValidation("dead-process", 60_000, T0))?.id).toBe(id);
      await store.expireAllLeases(T0 + 5);
      expect((await store.claimValidation("new-process", 60_000, T0 + 5))?.id).toBe(id);
    });

    it("gives released records back without spending an attempt", async () => {
      await jobWith(1, { maxAttempts: 1 });
      const [r] = await claim(1, T0, "w1");
      await store.releaseRecords("w1", [{ id: r!.id, attempt: r!.attempt }], T0 + 1);
      const [again] = await claim(1, T0 + 2, "w2");
      expect(again!.id).toBe(r!.id);
      // attempt 2 is the fencing token, but only one attempt counted: a retry still fails it
      await store.recordResults(
        [
          {
            recordId: again!.id,
            attempt: again!.attempt,
            outcome: { kind: "retry", runAt: T0, response: null, error: { code: "timeout", message: "t" } },
          },
        ],
        T0 + 3,
      );
      expect((await finishedOf(await onlyJob()))[0]?.state).toBe("failed");
    });

    it("fails a record whose worker keeps dying once its attempts are used", async () => {
      const id = await jobWith(1, { maxAttempts: 2 });
      await claim(1, T0);
      await store.requeueExpiredLeases(T0 + 10_001);
      await claim(1, T0 + 10_002);
      await store.requeueExpiredLeases(T0 + 20_003);
      const [rec] = await finishedOf(id);
      expect(rec).toMatchObject({ state: "failed", error: { code: "attempts_exhausted" } });
      expect((await store.getJob(id))?.counts.failed).toBe(1);
    });

    it("finalizes a job once every record is terminal, writing files in one step", async () => {
      const id = await jobWith(2);
      expect(await store.claimFinalizable(T0)).toEqual([]);
      const got = await claim(2);
      await store.recordResults(
        got.map((r) => ok(r.id, r.attempt)),
        T0 + 1,
      );
      expect(await store.claimFinalizable(T0 + 2)).toEqual([{ id, endStatus: "completed" }]);
      expect((await store.getJob(id))?.status).toBe("finalizing");
      // finalizing jobs are returned again until completed (crash-safe)
      expect(await store.claimFinalizable(T0 + 3)).toEqual([{ id, endStatus: "completed" }]);
      const out = {
        id: "file-out",
        filename: `${id}_output.jsonl`,
        purpose: "batch_output" as const,
        bytes: 5,
        blobKey: "k",
        createdAt: T0,
        expiresAt: null,
        projectId: "default",
      };
      await store.completeFinalize(id, { endStatus: "completed", outputFile: out, errorFile: null }, T0 + 4);
      const job = await store.getJob(id);
      expect(job).toMatchObject({
        projectId: "default",
        status: "completed",
        outputFileId: "file-out",
        errorFileId: null,
        completedAt: T0 + 4,
      });
      expect(await store.getFile("file-out")).toMatchObject({ purpose: "batch_output" });
      expect(await store.claimFinalizable(T0 + 5)).toEqual([]);
    });

    it("reads finished records in input order, paged", async () => {
      const id = await jobWith(5);
      const got = await claim(5);
      await store.recordResults(
        [...got].reverse().map((r) => ok(r.id, r.attempt)),
        T0,
      );
      const p1 = await store.readFinished(id, -1, 3);
      const p2 = await store.readFinished(id, p1[p1.length - 1]!.position, 3);
      expect([...p1, ...p2].map((r) => r.customId)).toEqual(["c0", "c1", "c2", "c3", "c4"]);
    });

    it("cancels: pending records stop, running ones finish, then the job ends cancelled", async () => {
      const id = await jobWith(5);
      const running = await claim(2);
      const job = await store.cancelJob(id, T0 + 1);
      expect(job).toMatchObject({ status: "cancelling", cancellingAt: T0 + 1 });
      expect(await claim(5)).toHaveLength(0);
      expect(await store.claimFinalizable(T0 + 2)).toEqual([]);
      await store.recordResults(
        running.map((r) => ok(r.id, r.attempt)),
        T0 + 3,
      );
      expect(await store.claimFinalizable(T0 + 4)).toEqual([{ id, endStatus: "cancelled" }]);
      await store.completeFinalize(id, { endStatus: "cancelled", outputFile: null, errorFile: null }, T0 + 5);
      expect(await store.getJob(id)).toMatchObject({
        status: "cancelled",
        cancelledAt: T0 + 5,
        counts: { completed: 2 },
      });
      const states = (await finishedOf(id)).map((r) => r.state);
      expect(states).toEqual(["succeeded", "succeeded", "cancelled", "cancelled", "cancelled"]);
      expect(await store.cancelJob("batch_nope", T0)).toBeUndefined();
    });

    it("a retryable answer in a job being cancelled ends the record cancelled, not pending", async () => {
      const id = await jobWith(2);
      const running = await claim(2);
      await store.cancelJob(id, T0 + 1);
      // A worker that had not yet heard of the cancel reports a 429 for one and a success for the other.
      await store.recordResults(
        [
          {
            recordId: running[0]!.id,
            attempt: running[0]!.attempt,
            outcome: {
              kind: "retry",
              runAt: T0 + 10,
              response: { statusCode: 429, requestId: null, body: "{}" },
              error: { code: "rate_limited", message: "slow down" },
            },
          },
          ok(running[1]!.id, running[1]!.attempt),
        ],
        T0 + 2,
      );
      expect(await store.claimFinalizable(T0 + 3)).toEqual([{ id, endStatus: "cancelled" }]);
      const states = (await finishedOf(id)).map((r) => r.state);
      expect(states).toEqual(["cancelled", "succeeded"]);
    });

    it("cancelling a job whose running record's worker died ends it cancelled", async () => {
      const id = await jobWith(1);
      await claim(1);
      await store.cancelJob(id, T0 + 1);
      await store.requeueExpiredLeases(T0 + 60_000);
      expect(await store.claimFinalizable(T0 + 60_001)).toEqual([{ id, endStatus: "cancelled" }]);
    });

    it("cancelling during validation cancels the records that validation inserts", async () => {
      const id = await insertTestJob(store, { inputFileId: "f", expiresAt: T0 + 1e9 });
      await store.claimValidation("v", 30_000, T0);
      await store.cancelJob(id, T0 + 1);
      await store.insertRecords(id, records(3, "r1"), 3);
      expect(await store.finishValidation(id, 3, T0 + 2)).toBe(false);
      expect(await claim(10, T0 + 3)).toHaveLength(0);
      expect(await store.claimFinalizable(T0 + 4)).toEqual([{ id, endStatus: "cancelled" }]);
    });

    it("expires a job past its window: unfinished records expire, finished ones stay", async () => {
      const id = await jobWith(4, { expiresAt: T0 + 3000 });
      const [a, b] = await claim(2);
      await store.recordResults([ok(a!.id, a!.attempt)], T0 + 1);
      expect(await store.expireJobs(T0 + 2999)).toEqual([]);
      expect(await store.expireJobs(T0 + 3000)).toEqual([id]);
      // the in-flight attempt's late write is refused
      expect((await store.recordResults([ok(b!.id, b!.attempt)], T0 + 3001)).refused).toEqual([b!.id]);
      expect(await store.claimFinalizable(T0 + 3002)).toEqual([{ id, endStatus: "expired" }]);
      const recs = await finishedOf(id);
      expect(recs.map((r) => r.state)).toEqual(["succeeded", "expired", "expired", "expired"]);
      expect(recs[1]?.error?.code).toBe("batch_expired");
      await store.completeFinalize(
        id,
        { endStatus: "expired", outputFile: null, errorFile: null },
        T0 + 3003,
      );
      expect(await store.getJob(id)).toMatchObject({ status: "expired", expiredAt: T0 + 3003 });
      expect(await store.expireJobs(T0 + 9999)).toEqual([]);
    });

    it("prunes expired files in bounded sweeps and returns them for blob deletion", async () => {
      const expiries = [T0 + 10, T0 + 20, T0 + 30, null];
      for (const [i, expiresAt] of expiries.entries()) {
        await store.insertFile({
          projectId: "default",
          id: `file-${i}`,
          filename: `f${i}.jsonl`,
          purpose: "batch",
          bytes: 1,
          blobKey: `files/file-${i}`,
          createdAt: T0,
          expiresAt,
        });
      }
      const first = await store.pruneExpired(T0 + 25, 1, 0);
      expect(first).toEqual({
        files: [expect.objectContaining({ id: "file-0", blobKey: "files/file-0" })],
        jobs: 0,
      });
      expect((await store.pruneExpired(T0 + 25, 1, 0)).files.map((f) => f.id)).toEqual(["file-1"]);
      expect(await store.pruneExpired(T0 + 25, 1, 0)).toEqual({ files: [], jobs: 0 });
      expect(await store.getFile("file-0")).toBeUndefined();
      expect((await store.listFiles({ limit: 10 })).map((f) => f.id)).toEqual(["file-3", "file-2"]);
    });

    it("prunes a finished job and its records once retention passed and its files are gone", async () => {
      const finish = async (outputExpiresAt: number | null) => {
        const id = await jobWith(2);
        const got = await claim(2);
        await store.recordResults(
          got.map((r) => ok(r.id, r.attempt)),
          T0 + 1,
        );
        await store.claimFinalizable(T0 + 2);
        const outputFile = {
          id: `file-out-${id}`,
          filename: "out.jsonl",
          purpose: "batch_output" as const,
          bytes: 5,
          blobKey: `out/${id}`,
          createdAt: T0,
          expiresAt: outputExpiresAt,
          projectId: "default",
        };
        await store.completeFinalize(id, { endStatus: "completed", outputFile, errorFile: null }, T0 + 4);
        return id;
      };
      const expiring = await finish(T0 + 1000);
      const kept = await finish(null);
      const running = await jobWith(1, { expiresAt: T0 + 1e9 });
      const invalid = await insertTestJob(store, { inputFileId: "f", expiresAt: T0 + 1e9 });
      await store.claimValidation("v", 1000, T0);
      await store.failValidation(
        invalid,
        [{ code: "invalid_json", message: "bad", line: 1, param: null }],
        T0 + 5,
      );

      // retention not yet passed for anyone, and the output file has not expired
      expect(await store.pruneExpired(T0 + 500, 10, 1000)).toEqual({ files: [], jobs: 0 });

      const sweep1 = await store.pruneExpired(T0 + 2000, 1, 1000);
      expect(sweep1.files.map((f) => f.id)).toEqual([`file-out-${expiring}`]);
      expect(sweep1.jobs).toBe(1);
      const sweep2 = await store.pruneExpired(T0 + 2000, 1, 1000);
      expect(sweep2).toEqual({ files: [], jobs: 1 });
      expect(await store.pruneExpired(T0 + 2000, 1, 1000)).toEqual({ files: [], jobs: 0 });

      expect(await store.getJob(expiring)).toBeUndefined();
      expect(await store.getJob(invalid)).toBeUndefined();
      expect(await store.readFinished(expiring, -1, 10)).toEqual([]);
      // its output file is still there, so the job stays; an unfinished job is never pruned
      expect((await store.getJob(kept))?.status).toBe("completed");
      expect(await store.readFinished(kept, -1, 10)).toHaveLength(2);
      expect((await store.getJob(running))?.status).toBe("in_progress");
      expect(await claim(5, T0 + 2001)).toHaveLength(1);
    });

    async function finishedOf(jobId: string) {
      return store.readFinished(jobId, -1, 1000);
    }

    async function onlyJob() {
      const [job] = await store.listJobs({ limit: 1 });
      return job!.id;
    }
  });
}

function records(n: number, route: string): NewRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    position: i,
    line: i + 1,
    customId: `c${i}`,
    route,
    body: JSON.stringify({ model: "m", i }),
  }));
}
