import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RecordEventSource } from "../../src/events/sse/record-events.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { insertTestJob, runningTestJob, T0 } from "../store-contract/fixtures.js";

/** The SSE stream's `record` events over a real store: bounded per poll, chained, complete at the end. */
describe("record events", () => {
  let dir: string;
  let store: Store;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "docket-record-events-"));
    store = openSqliteStore({ path: join(dir, "docket.db") });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Ends the first `k` records of the job (they are claimed in input order). */
  async function endFirst(k: number) {
    const claimed = await store.claimRecords({
      owner: "w",
      routes: [{ route: "r1", limit: k }],
      leaseMs: 60_000,
      now: T0,
    });
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
      T0,
    );
  }

  it("reads at most its windows per poll while the job runs, and on to the end once it has ended", async () => {
    const id = await runningTestJob(store, 100);
    const source = new RecordEventSource(store, 0, { window: 10, maxWindows: 2 });
    const running = async () => (await store.getJob(id))!;
    expect(await source.advance(await running(), false)).toBeNull();
    await endFirst(55);
    expect(await source.advance(await running(), false)).toEqual({
      object: "batch.records",
      cursor: "20",
      previous_cursor: "0",
      records: 20,
      complete: false,
    });
    expect((await source.advance(await running(), false))?.cursor).toBe("40");
    // Stops at the gap (record 55 is still pending), with no event once nothing moves.
    expect(await source.advance(await running(), false)).toMatchObject({ cursor: "55", records: 15 });
    expect(await source.advance(await running(), false)).toBeNull();
    await endFirst(45);
    // The job has ended: read to its end in one poll, complete, and silent afterwards.
    const ended = { ...(await running()), status: "completed" as const };
    expect(await source.advance(ended, true)).toEqual({
      object: "batch.records",
      cursor: "100",
      previous_cursor: "55",
      records: 45,
      complete: true,
    });
    expect(source.complete).toBe(true);
    expect(await source.advance(ended, true)).toBeNull();
  });

  it("says nothing while validating, and that a failed batch is complete with no records", async () => {
    const id = await insertTestJob(store);
    const source = new RecordEventSource(store, 0);
    expect(await source.advance((await store.getJob(id))!, false)).toBeNull();
    await store.claimValidation("v", 30_000, T0);
    await store.failValidation(id, [{ code: "invalid_json", message: "bad", line: 1, param: null }], T0);
    expect(await source.advance((await store.getJob(id))!, true)).toEqual({
      object: "batch.records",
      cursor: "0",
      previous_cursor: "0",
      records: 0,
      complete: true,
    });
  });
});
