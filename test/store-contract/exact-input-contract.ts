import { beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/store.js";
import { insertTestJob, T0 } from "./fixtures.js";

/**
 * Migration 0005 on every engine: exact bodies and custom_id literals, the batch's model, its
 * output expiry and the validation attempt count (issue 17, "bytes in = bytes out" and
 * "validation never wedges").
 */
export function describeExactInputContract(engine: string, openStore: () => Promise<Store>): void {
  describe(`store contract (exact input): ${engine}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await openStore();
      return () => store.close();
    });

    it("keeps bodies and custom_id literals byte for byte, through claims and finished reads", async () => {
      const id = await insertTestJob(store);
      await store.claimValidation("v", 30_000, T0);
      const body = '{"model":"m","seed":12345678901234567891,"t":1.0,"x":1e999,"s":"\\u00e9"}';
      await store.insertRecords(
        id,
        [
          { position: 0, line: 1, customId: "\ud800", customIdJson: '"\\ud800"', route: "r1", body },
          { position: 1, line: 2, customId: "\ud801", customIdJson: '"\\ud801"', route: "r1", body },
          { position: 2, line: 3, customId: "plain", route: "r1", body: "{}" },
        ],
        3,
      );
      expect(await store.finishValidation(id, 3, T0, "m")).toBe(true);
      const claimed = await store.claimRecords({
        owner: "w",
        routes: [{ route: "r1", limit: 10 }],
        leaseMs: 10_000,
        now: T0,
      });
      expect(claimed.map((r) => r.body)).toEqual([body, body, "{}"]);
      await store.recordResults(
        claimed.map((r) => ({
          recordId: r.id,
          attempt: r.attempt,
          outcome: {
            kind: "succeeded",
            response: { statusCode: 200, requestId: null, body: "{}" },
            usage: null,
          },
        })),
        T0 + 1,
      );
      const finished = await store.readFinished(id, -1, 10);
      expect(finished.map((r) => r.customIdJson)).toEqual(['"\\ud800"', '"\\ud801"', null]);
      expect(finished[2]!.customId).toBe("plain");
    });

    it("stores a record that failed its own validation finished and counted, never claimed (0008)", async () => {
      const id = await insertTestJob(store);
      await store.claimValidation("v", 30_000, T0);
      const failure = { code: "invalid_request_error", message: "max_tokens: Field required" };
      const records = [
        { position: 0, line: 1, customId: "a", route: "r1", body: '{"model":"m"}' },
        { position: 1, line: 2, customId: "b", route: "r1", body: '{"model":"m"}', failure },
        { position: 2, line: 3, customId: "c", route: "r1", body: '{"model":"m"}' },
      ];
      await store.insertRecords(id, records, 3);
      // A validation restarted by another process starts the count again from zero.
      await store.claimValidation("v2", 30_000, T0 + 60_000);
      await store.insertRecords(id, records, 3);
      expect(await store.finishValidation(id, 3, T0, "m")).toBe(true);
      const job = await store.getJob(id);
      expect(job).toMatchObject({ format: "openai", counts: { total: 3, completed: 0, failed: 1 } });
      expect(job!.tally).toEqual({ succeeded: 0, failed: 1, cancelled: 0, expired: 0 });
      const claimed = await store.claimRecords({
        owner: "w",
        routes: [{ route: "r1", limit: 10 }],
        leaseMs: 10_000,
        now: T0 + 60_001,
      });
      expect(claimed.map((r) => r.customId)).toEqual(["a", "c"]);
      const finished = await store.readFinished(id, -1, 10);
      expect(finished.map((r) => [r.customId, r.state, r.error])).toEqual([
        ["a", "running", null],
        ["b", "failed", failure],
        ["c", "running", null],
      ]);
    });

    it("keeps a job's format and the model it was created with", async () => {
      const id = "batch_format_1";
      await store.insertJob({
        projectId: "default",
        id,
        format: "bedrock",
        model: "anthropic.claude-3-haiku-20240307-v1:0",
        endpoint: "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke",
        inputFileId: "file-x",
        completionWindow: "24h",
        metadata: null,
        createdAt: T0,
        expiresAt: T0 + 86_400_000,
      });
      expect(await store.getJob(id)).toMatchObject({
        format: "bedrock",
        model: "anthropic.claude-3-haiku-20240307-v1:0",
        endpoint: "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke",
      });
    });

    it("records the batch's model when validation ends, and its output expiry from creation", async () => {
      const plain = await insertTestJob(store);
      expect(await store.getJob(plain)).toMatchObject({ model: null, outputExpiresAfterSeconds: null });
      const id = await insertTestJob(store, { outputExpiresAfterSeconds: 7200 });
      expect((await store.getJob(id))?.outputExpiresAfterSeconds).toBe(7200);
      await store.claimValidation("v", 30_000, T0);
      await store.claimValidation("v", 30_000, T0);
      expect(await store.finishValidation(id, 0, T0, "gpt-4o-mini")).toBe(true);
      expect(await store.getJob(id)).toMatchObject({ model: "gpt-4o-mini", status: "in_progress" });
      // Jobs listed carry them too (the API's list serializes the same Job).
      expect((await store.listJobs({ limit: 10 })).find((j) => j.id === id)?.model).toBe("gpt-4o-mini");
    });

    it("counts validation attempts durably, one per claim", async () => {
      const id = await insertTestJob(store);
      expect((await store.getJob(id))?.validationAttempts).toBe(0);
      expect((await store.claimValidation("a", 1000, T0))?.validationAttempts).toBe(1);
      expect(await store.claimValidation("b", 1000, T0 + 500)).toBeUndefined();
      expect((await store.claimValidation("b", 1000, T0 + 2000))?.validationAttempts).toBe(2);
      // A retry pushed out by its owner is not claimable before it is due.
      expect(await store.renewValidation(id, "b", T0 + 10_000)).toBe(true);
      expect(await store.claimValidation("c", 1000, T0 + 5000)).toBeUndefined();
      expect((await store.claimValidation("c", 1000, T0 + 10_001))?.validationAttempts).toBe(3);
    });

    it("keeps error messages holding NUL and lone surrogates (as JSON escapes)", async () => {
      const id = await insertTestJob(store);
      await store.claimValidation("v", 30_000, T0);
      const errors = [{ code: "invalid_json", message: "bad \u0000 and \ud800", line: 1, param: null }];
      await store.failValidation(id, errors, T0 + 1);
      expect((await store.getJob(id))?.errors).toEqual(errors);
    });
  });
}
