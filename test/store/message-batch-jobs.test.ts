import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { insertTestJob, runningTestJob, T0 } from "../store-contract/fixtures.js";
import { describePostgres, openTestStore } from "./pg-test-db.js";

/**
 * What the Message Batches API asks of the job store, on both engines: lists filtered by format
 * and paged both ways (`after` towards older, `before` towards newer, newest first either way),
 * and deleting an ended job with its records.
 */
function describeMessageBatchJobs(engine: string, open: () => Promise<Store>): void {
  describe(`message batch jobs (${engine})`, () => {
    let store: Store;
    afterEach(async () => store?.close());

    it("lists by format, and pages after (older) and before (newer), newest first", async () => {
      store = await open();
      const a = await insertTestJob(store, {
        id: "msgbatch_a",
        format: "anthropic",
        endpoint: "/v1/messages",
      });
      const o = await insertTestJob(store, { id: "batch_o" });
      const b = await insertTestJob(store, {
        id: "msgbatch_b",
        format: "anthropic",
        endpoint: "/v1/messages",
      });
      const c = await insertTestJob(store, {
        id: "msgbatch_c",
        format: "anthropic",
        endpoint: "/v1/messages",
      });
      const ids = async (q: Parameters<Store["listJobs"]>[0]) => (await store.listJobs(q)).map((j) => j.id);
      const anthropic = ["anthropic"] as const;
      expect(await ids({ limit: 10, formats: anthropic })).toEqual([c, b, a]);
      expect(await ids({ limit: 10, formats: ["openai", "bedrock"] })).toEqual([o]);
      expect(await ids({ limit: 10 })).toEqual([c, b, o, a]);
      expect(await ids({ limit: 1, formats: anthropic, after: c })).toEqual([b]);
      expect(await ids({ limit: 10, formats: anthropic, after: b })).toEqual([a]);
      // The nearest newer ones, still newest first.
      expect(await ids({ limit: 1, formats: anthropic, before: a })).toEqual([b]);
      expect(await ids({ limit: 10, formats: anthropic, before: a })).toEqual([c, b]);
      expect(await ids({ limit: 10, formats: anthropic, before: c })).toEqual([]);
      expect(await ids({ limit: 10, formats: anthropic, after: "msgbatch_unknown" })).toEqual([]);
    });

    it("deletes an ended job with its records, and nothing that is still running", async () => {
      store = await open();
      const running = await runningTestJob(store, 3, {
        over: { format: "anthropic", endpoint: "/v1/messages" },
      });
      expect(await store.deleteJob(running)).toBe(false);
      expect(await store.getJob(running)).toBeDefined();
      expect(await store.deleteJob("msgbatch_unknown")).toBe(false);

      const ended = await insertTestJob(store, { format: "anthropic", endpoint: "/v1/messages" });
      await store.claimValidation("validator", 30_000, T0);
      await store.failValidation(ended, [{ code: "x", message: "x", line: null, param: null }], T0 + 1);
      expect((await store.getJob(ended))?.status).toBe("failed");
      expect(await store.deleteJob(ended)).toBe(true);
      expect(await store.getJob(ended)).toBeUndefined();
      expect(await store.deleteJob(ended)).toBe(false);
      // The other job and its records are untouched.
      expect((await store.getJob(running))?.counts.total).toBe(3);
    });
  });
}

describeMessageBatchJobs("sqlite", async () =>
  openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), "docket-store-")), "docket.db") }),
);
describePostgres("postgres", (url) => describeMessageBatchJobs("postgres", () => openTestStore(url)));
