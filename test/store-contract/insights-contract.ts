import { beforeEach, describe, expect, it } from "vitest";
import type { AttemptResult } from "../../src/domain/record.js";
import type { Store } from "../../src/store/store.js";
import { insertTestJob, runningTestJob, T0 } from "./fixtures.js";

/** The dashboard's read queries (InsightStore), run on each engine. */
export function describeInsightsContract(engine: string, openStore: () => Promise<Store>): void {
  describe(`insights contract: ${engine}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await openStore();
      return () => store.close();
    });

    const failed = (recordId: number, attempt: number, code: string, latencyMs: number): AttemptResult => ({
      recordId,
      attempt,
      latencyMs,
      outcome: {
        kind: "failed",
        response: {
          statusCode: 400,
          requestId: null,
          body: `{"error":{"code":"${code}","detail":"${"x".repeat(50)}"}}`,
        },
        error: { code, message: `bad request: ${code}` },
      },
    });
    const ok = (recordId: number, attempt: number, latencyMs: number): AttemptResult => ({
      recordId,
      attempt,
      latencyMs,
      outcome: {
        kind: "succeeded",
        response: { statusCode: 200, requestId: "r", body: "{}" },
        usage: { inputTokens: 1, outputTokens: 2 },
      },
    });

    it("filters and pages jobs newest first, and counts them per status", async () => {
      const a = await insertTestJob(store, { model: "m-a", createdAt: T0 });
      const b = await insertTestJob(store, { model: "m-b", createdAt: T0 + 1, format: "anthropic" });
      const c = await insertTestJob(store, { model: "m-a", createdAt: T0 + 2 });
      await store.cancelJob(c, T0 + 3);
      const ids = async (q: Parameters<Store["listJobsFiltered"]>[0]) =>
        (await store.listJobsFiltered(q)).map((j) => j.id);

      expect(await ids({ limit: 10 })).toEqual([c, b, a]);
      expect(await ids({ limit: 2 })).toEqual([c, b]);
      expect(await ids({ limit: 2, after: b })).toEqual([a]);
      expect(await ids({ limit: 10, model: "m-a" })).toEqual([c, a]);
      expect(await ids({ limit: 10, format: "anthropic" })).toEqual([b]);
      expect(await ids({ limit: 10, format: "openai", model: "m-a" })).toEqual([c, a]);
      expect(await ids({ limit: 10, kind: "invocation" })).toEqual([]);
      const cancelled = (await store.getJob(c))!.status;
      expect(await ids({ limit: 10, status: cancelled })).toEqual([c]);
      expect(await ids({ limit: 10, status: "validating", model: "m-a" })).toEqual([a]);

      expect(await store.countJobsByStatus({})).toEqual({ validating: 2, [cancelled]: 1 });
      expect(await store.countJobsByStatus({ model: "m-b" })).toEqual({ validating: 1 });
      expect((await store.listActiveJobs(10)).map((j) => j.id)).toEqual(
        cancelled === "cancelled" ? [b, a] : [c, b, a],
      );
    });

    it("reads a job's throughput, latencies, grouped failures and samples from its records", async () => {
      const job = await runningTestJob(store, 6, {
        body: (i) => `{"model":"m","n":${i},"pad":"${"p".repeat(20)}"}`,
      });
      const claimed = await store.claimRecords({
        owner: "w",
        routes: [{ route: "r1", limit: 6 }],
        leaseMs: 10_000,
        now: T0,
      });
      expect(claimed).toHaveLength(6);
      expect(await store.countRunningRecords(job)).toBe(6);
      const [r0, r1, r2, r3, r4] = claimed.map((r) => r.id) as [number, number, number, number, number];
      await store.recordResults([ok(r0, 1, 100), failed(r1, 1, "bad", 300)], T0 + 500);
      await store.recordResults(
        [failed(r2, 1, "bad", 200), failed(r3, 1, "boom", 50), ok(r4, 1, 400)],
        T0 + 2_500,
      );
      expect(await store.countRunningRecords(job)).toBe(1);

      expect(await store.finishedBuckets(job, T0, T0 + 10_000, 1_000)).toEqual([
        { start: T0, succeeded: 1, other: 1 },
        { start: T0 + 2_000, succeeded: 1, other: 2 },
      ]);
      expect(await store.finishedBuckets(job, T0 + 1_000, T0 + 10_000, 1_000)).toHaveLength(1);
      expect(await store.countFinishedSince(job, T0 + 1_000)).toBe(3);
      expect(await store.countFinishedSince(job, T0)).toBe(5);

      const latencies = await store.recentLatencies(job, 10);
      expect([...latencies].sort((x, y) => x - y)).toEqual([50, 100, 200, 300, 400]);
      // The most recent first: the two finished at +500 come last.
      expect(latencies.slice(3).sort((x, y) => x - y)).toEqual([100, 300]);
      expect(await store.recentLatencies(job, 2)).toHaveLength(2);

      expect(await store.failedByCode(job, 10)).toEqual([
        { code: "bad", count: 2 },
        { code: "boom", count: 1 },
      ]);
      expect(await store.failedByCode(job, 1)).toEqual([{ code: "bad", count: 2 }]);

      const samples = await store.sampleRecords(job, {
        state: "failed",
        errorCode: "bad",
        limit: 3,
        maxChars: 10,
      });
      expect(samples.map((s) => s.customId)).toEqual(["c1", "c2"]);
      const s = samples[0]!;
      expect(s).toMatchObject({ position: 1, line: 2, state: "failed", attempts: 1, errorCode: "bad" });
      expect(s.errorMessage).toBe("bad request: bad");
      expect(s.requestBody.text).toBe(`{"model":"`);
      expect(s.requestBody.bytes).toBe(Buffer.byteLength(`{"model":"m","n":1,"pad":"${"p".repeat(20)}"}`));
      expect(s.requestBody.chars).toBe(`{"model":"m","n":1,"pad":"${"p".repeat(20)}"}`.length);
      expect(s.responseStatus).toBe(400);
      expect(s.responseBody?.text).toHaveLength(10);
      expect(s.responseBody?.bytes).toBeGreaterThan(50);
      expect(
        await store.sampleRecords(job, { state: "failed", errorCode: "none", limit: 3, maxChars: 10 }),
      ).toEqual([]);
      expect(
        await store.sampleRecords(job, { state: "failed", errorCode: null, limit: 3, maxChars: 10 }),
      ).toEqual([]);
      expect(
        (await store.sampleRecords(job, { state: "failed", limit: 2, maxChars: 10 })).map((x) => x.customId),
      ).toEqual(["c1", "c2"]);

      await store.cancelJob(job, T0 + 3_000);
      const cancelled = await store.sampleRecords(job, { state: "cancelled", limit: 3, maxChars: 100 });
      // The running record stays running until its worker answers; none was pending.
      expect(cancelled).toEqual([]);
    });

    it("cuts a sampled body of over a million characters without reading it whole", async () => {
      const big = `{"model":"m","text":"${"é".repeat(1_100_000)}"}`;
      const job = await runningTestJob(store, 1, { body: () => big });
      await store.cancelJob(job, T0 + 1);
      const [s] = await store.sampleRecords(job, { state: "cancelled", limit: 1, maxChars: 16 });
      expect(s?.requestBody.text).toBe(big.slice(0, 16));
      expect(s?.requestBody.bytes).toBe(Buffer.byteLength(big));
      expect(s?.requestBody.chars).toBe(big.length);
    });

    it("pages webhook deliveries newest first, of all jobs or one", async () => {
      const a = await insertTestJob(store);
      const b = await insertTestJob(store);
      const delivery = (id: string, jobId: string, at: number) => ({
        id,
        jobId,
        event: "batch.completed" as const,
        url: "https://example.com/hook",
        payload: "{}",
        createdAt: at,
      });
      await store.enqueueWebhook(a, delivery("whd_1", a, T0));
      await store.enqueueWebhook(b, delivery("whd_2", b, T0 + 1));
      const ids = async (q: Parameters<Store["listDeliveries"]>[0]) =>
        (await store.listDeliveries(q)).map((d) => d.id);
      expect(await ids({ limit: 10 })).toEqual(["whd_2", "whd_1"]);
      expect(await ids({ limit: 1 })).toEqual(["whd_2"]);
      expect(await ids({ limit: 10, after: "whd_2" })).toEqual(["whd_1"]);
      expect(await ids({ limit: 10, jobId: a })).toEqual(["whd_1"]);
      expect(await ids({ limit: 10, jobId: "batch_none" })).toEqual([]);
    });

    it("limits jobs, counts, active jobs and deliveries to one project when asked", async () => {
      const mine = await insertTestJob(store, { projectId: "p-a", createdAt: T0 });
      const theirs = await insertTestJob(store, { projectId: "p-b", createdAt: T0 + 1 });
      const delivery = (id: string, jobId: string) => ({
        id,
        jobId,
        event: "batch.completed" as const,
        url: "https://example.com/hook",
        payload: "{}",
        createdAt: T0,
      });
      await store.enqueueWebhook(mine, delivery("whd_a", mine));
      await store.enqueueWebhook(theirs, delivery("whd_b", theirs));
      const jobIds = (jobs: Array<{ id: string }>) => jobs.map((j) => j.id);
      expect(jobIds(await store.listJobsFiltered({ limit: 10, projectId: "p-a" }))).toEqual([mine]);
      expect(jobIds(await store.listJobsFiltered({ limit: 10 }))).toEqual([theirs, mine]);
      expect(await store.countJobsByStatus({ projectId: "p-b" })).toEqual({ validating: 1 });
      expect(jobIds(await store.listActiveJobs(10, "p-a"))).toEqual([mine]);
      expect(jobIds(await store.listActiveJobs(10))).toEqual([theirs, mine]);
      const deliveries = await store.listDeliveries({ limit: 10, projectId: "p-b" });
      expect(deliveries.map((d) => d.id)).toEqual(["whd_b"]);
      expect(await store.listDeliveries({ limit: 10, projectId: "p-none" })).toEqual([]);
    });
  });
}
