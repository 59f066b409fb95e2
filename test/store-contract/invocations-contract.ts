import { beforeEach, describe, expect, it } from "vitest";
import { newId } from "../../src/domain/ids.js";
import type { NewInvocation } from "../../src/domain/invocation.js";
import type { Store } from "../../src/store/store.js";
import { runningTestJob, T0 } from "./fixtures.js";

/**
 * Store behaviour for async invocations, webhook deliveries and backlog figures (migration
 * 0003), written once and run on each engine.
 */
export function describeInvocationsContract(engine: string, openStore: () => Promise<Store>): void {
  describe(`store contract (invocations, webhooks, backlog): ${engine}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await openStore();
      return () => store.close();
    });

    function invocation(o: Partial<NewInvocation> = {}): NewInvocation {
      const id = o.id ?? newId("inv_");
      return {
        projectId: "default",
        id,
        inferenceId: id,
        model: "m",
        route: "r1",
        endpoint: "/v1/chat/completions",
        inputFileId: "file-in",
        inputBytes: 123,
        body: JSON.stringify({ input: "files/file-in", bytes: 123 }),
        maxAttempts: 3,
        ttlUntil: T0 + 60_000,
        timeoutMs: 5_000,
        customAttributes: "trace=1",
        webhookUrl: "https://example.com/hook",
        createdAt: T0,
        expiresAt: T0 + 86_400_000,
        ...o,
      };
    }

    async function batchWith(n: number): Promise<string> {
      return runningTestJob(store, n, { over: { webhookUrl: "https://example.com/batch-hook" } });
    }

    const claim = (limit: number, now = T0) =>
      store.claimRecords({ owner: "w1", routes: [{ route: "r1", limit }], leaseMs: 10_000, now });

    it("creates an invocation as a running job with one record, found by either id", async () => {
      const { invocation: inv, created } = await store.insertInvocation(
        invocation({ id: "inv_a", inferenceId: "caller-1" }),
      );
      expect(created).toBe(true);
      expect(inv.job).toMatchObject({
        id: "inv_a",
        kind: "invocation",
        status: "in_progress",
        endpoint: "/v1/chat/completions",
        webhookUrl: "https://example.com/hook",
        counts: { total: 1, completed: 0, failed: 0 },
      });
      expect(inv).toMatchObject({
        inferenceId: "caller-1",
        model: "m",
        route: "r1",
        inputBytes: 123,
        ttlUntil: T0 + 60_000,
        timeoutMs: 5_000,
        customAttributes: "trace=1",
        recordState: "pending",
        attempts: 0,
        error: null,
      });
      expect((await store.getInvocation("caller-1", "default"))?.job.id).toBe("inv_a");
      // An inference id is looked up within a project: without one, only the job id finds it.
      expect(await store.getInvocation("caller-1")).toBeUndefined();
      expect(await store.getInvocation("caller-1", "other")).toBeUndefined();
      expect((await store.getInvocation("inv_a"))?.inferenceId).toBe("caller-1");
      expect(await store.getInvocation("nope")).toBeUndefined();
    });

    it("treats the caller's inference id as an idempotency key", async () => {
      const first = await store.insertInvocation(invocation({ id: "inv_1", inferenceId: "same" }));
      const second = await store.insertInvocation(invocation({ id: "inv_2", inferenceId: "same" }));
      expect(second.created).toBe(false);
      expect(second.invocation.job.id).toBe(first.invocation.job.id);
      expect(await store.getJob("inv_2")).toBeUndefined();
      const [a, b] = await Promise.all([
        store.insertInvocation(invocation({ id: "inv_3", inferenceId: "race" })),
        store.insertInvocation(invocation({ id: "inv_4", inferenceId: "race" })),
      ]);
      expect([a.created, b.created].sort()).toEqual([false, true]);
      expect(a.invocation.job.id).toBe(b.invocation.job.id);
    });

    it("keys the inference id per project: another project's same id is another invocation", async () => {
      const a = await store.insertInvocation(invocation({ id: "inv_pa", inferenceId: "shared" }));
      const b = await store.insertInvocation(
        invocation({ id: "inv_pb", inferenceId: "shared", projectId: "project-b" }),
      );
      expect([a.created, b.created]).toEqual([true, true]);
      expect(b.invocation.job).toMatchObject({ id: "inv_pb", projectId: "project-b" });
      expect((await store.getInvocation("shared", "default"))?.job.id).toBe("inv_pa");
      expect((await store.getInvocation("shared", "project-b"))?.job.id).toBe("inv_pb");
      const again = await store.insertInvocation(
        invocation({ id: "inv_pc", inferenceId: "shared", projectId: "project-b" }),
      );
      expect(again).toMatchObject({ created: false, invocation: { job: { id: "inv_pb" } } });
    });

    it("keeps invocations out of batch listings and lists them by kind", async () => {
      const batch = await batchWith(1);
      await store.insertInvocation(invocation({ id: "inv_k" }));
      expect((await store.listJobs({ limit: 10, kind: "batch" })).map((j) => j.id)).toEqual([batch]);
      expect((await store.listJobs({ limit: 10, kind: "invocation" })).map((j) => j.id)).toEqual(["inv_k"]);
      expect(await store.listJobs({ limit: 10 })).toHaveLength(2);
      expect((await store.getJob(batch))?.webhookUrl).toBe("https://example.com/batch-hook");
    });

    it("claims an invocation before the records of an earlier, larger batch", async () => {
      await batchWith(20);
      const body = JSON.stringify({ input: "files/f", bytes: 1 });
      await store.insertInvocation(invocation({ id: "inv_p", body }));
      const [first, ...rest] = await claim(4);
      expect(first).toMatchObject({
        jobId: "inv_p",
        kind: "invocation",
        endpoint: "/v1/chat/completions",
        body,
      });
      expect(rest).toHaveLength(3);
      // The claim says which kind of job each record is: the worker asks that kind to send it.
      for (const r of rest) expect(r).toMatchObject({ kind: "batch", endpoint: "/v1/chat/completions" });
      expect((await store.getInvocation("inv_p"))?.recordState).toBe("running");
    });

    it("expires an invocation that waited past its TTL, but not one already started", async () => {
      await store.insertInvocation(invocation({ id: "inv_wait", ttlUntil: T0 + 1000 }));
      expect(await store.expireInvocations(T0 + 999)).toEqual([]);
      expect(await store.expireInvocations(T0 + 1000)).toEqual(["inv_wait"]);
      expect(await store.expireInvocations(T0 + 2000)).toEqual([]);
      const inv = await store.getInvocation("inv_wait");
      expect(inv).toMatchObject({
        recordState: "expired",
        error: { code: "request_ttl_expired" },
        job: { status: "finalizing" },
      });
      expect(await store.claimFinalizable(T0 + 1000)).toEqual([{ id: "inv_wait", endStatus: "expired" }]);

      await store.insertInvocation(invocation({ id: "inv_run", ttlUntil: T0 + 1000 }));
      expect(await claim(1)).toHaveLength(1);
      expect(await store.expireInvocations(T0 + 5000)).toEqual([]);
      expect((await store.getInvocation("inv_run"))?.recordState).toBe("running");
    });

    it("writes each end event once, and only for jobs that ended", async () => {
      const batch = await batchWith(1);
      expect(await store.jobsToNotify(10)).toEqual([]);
      await store.cancelJob(batch, T0);
      for (const { id, endStatus } of await store.claimFinalizable(T0))
        await store.completeFinalize(id, { endStatus, outputFile: null, errorFile: null }, T0 + 1);
      const due = await store.jobsToNotify(10);
      expect(due.map((j) => [j.id, j.status])).toEqual([[batch, "cancelled"]]);
      const delivery = {
        id: "whd_1",
        jobId: batch,
        event: "batch.cancelled" as const,
        url: "https://example.com/h",
        payload: '{"type":"batch.cancelled"}',
        createdAt: T0 + 2,
      };
      await store.enqueueWebhook(batch, delivery);
      await store.enqueueWebhook(batch, { ...delivery, id: "whd_2" });
      expect(await store.jobsToNotify(10)).toEqual([]);
      const listed = await store.listWebhookDeliveries(batch);
      expect(listed).toEqual([
        { ...delivery, state: "pending", attempts: 0, nextAttemptAt: T0 + 2, deliveredAt: null, log: [] },
      ]);

      // a job with no target is marked without a delivery
      const quiet = await batchWith(1);
      await store.cancelJob(quiet, T0);
      for (const { id, endStatus } of await store.claimFinalizable(T0))
        await store.completeFinalize(id, { endStatus, outputFile: null, errorFile: null }, T0 + 1);
      await store.enqueueWebhook(quiet, null);
      expect(await store.jobsToNotify(10)).toEqual([]);
      expect(await store.listWebhookDeliveries(quiet)).toEqual([]);
    });

    it("leases deliveries, and records retries and success in the delivery's log", async () => {
      const batch = await batchWith(1);
      await store.enqueueWebhook(batch, {
        id: "whd_a",
        jobId: batch,
        event: "batch.completed",
        url: "https://example.com/h",
        payload: "{}",
        createdAt: T0,
      });
      expect(await store.claimWebhookDeliveries(T0 - 1, 1000, 10)).toEqual([]);
      const [claimed] = await store.claimWebhookDeliveries(T0, 1000, 10);
      expect(claimed?.id).toBe("whd_a");
      // leased: nobody else gets it until the lease runs out
      expect(await store.claimWebhookDeliveries(T0 + 999, 1000, 10)).toEqual([]);
      const failedAttempt = { at: T0 + 1, status: 500, error: "HTTP 500", durationMs: 3 };
      await store.recordWebhookAttempt("whd_a", {
        kind: "retry",
        attempt: failedAttempt,
        nextAttemptAt: T0 + 5000,
      });
      expect(await store.claimWebhookDeliveries(T0 + 4999, 1000, 10)).toEqual([]);
      expect((await store.claimWebhookDeliveries(T0 + 5000, 1000, 10)).map((d) => d.attempts)).toEqual([1]);
      const okAttempt = { at: T0 + 5001, status: 204, error: null, durationMs: 2 };
      await store.recordWebhookAttempt("whd_a", { kind: "delivered", attempt: okAttempt });
      const [done] = await store.listWebhookDeliveries(batch);
      expect(done).toMatchObject({ state: "delivered", attempts: 2, deliveredAt: T0 + 5001 });
      expect(done?.log).toEqual([failedAttempt, okAttempt]);
      expect(await store.claimWebhookDeliveries(T0 + 99_999, 1000, 10)).toEqual([]);
    });

    it("reports the backlog per route and kind", async () => {
      await batchWith(3);
      await claim(1);
      await store.insertInvocation(invocation({ id: "inv_b", createdAt: T0 + 50 }));
      const stats = await store.backlogStats(T0 + 100);
      const byKind = Object.fromEntries(stats.map((s) => [`${s.route}/${s.kind}`, s]));
      // the claim above took the batch's first record: the invocation did not exist yet
      expect(byKind["r1/batch"]).toEqual({
        route: "r1",
        kind: "batch",
        waiting: 2,
        running: 1,
        oldestWaitingSince: T0,
      });
      expect(byKind["r1/invocation"]).toEqual({
        route: "r1",
        kind: "invocation",
        waiting: 1,
        running: 0,
        oldestWaitingSince: T0 + 50,
      });
    });
  });
}
