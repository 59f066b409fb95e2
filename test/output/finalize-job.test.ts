import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LocalDirBlobStore } from "../../src/blobs/local-dir-blob-store.js";
import { finalizeJob } from "../../src/output/finalize-job.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { insertTestJob } from "../store-contract/fixtures.js";

/** Finalization on a real SQLite store and blob directory. */
describe("finalizeJob", () => {
  let dir: string;
  let store: Store;
  let blobs: LocalDirBlobStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "docket-finalize-"));
    store = openSqliteStore({ path: join(dir, "docket.db") });
    blobs = new LocalDirBlobStore(join(dir, "blobs"));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A job with one success (a lone-surrogate id) and one failure, ready to finalize. */
  async function finishedJob(outputExpiresAfterSeconds?: number): Promise<string> {
    const id = await insertTestJob(store, { outputExpiresAfterSeconds, expiresAt: Date.now() + 86_400_000 });
    await store.claimValidation("v", 30_000, Date.now());
    await store.insertRecords(
      id,
      [
        { position: 0, line: 1, customId: "\ud800", customIdJson: '"\\ud800"', route: "r", body: "{}" },
        { position: 1, line: 2, customId: "b", route: "r", body: "{}" },
      ],
      1,
    );
    await store.finishValidation(id, 2, Date.now(), "m");
    const [a, b] = await store.claimRecords({
      owner: "w",
      routes: [{ route: "r", limit: 2 }],
      leaseMs: 10_000,
      now: Date.now(),
    });
    await store.recordResults(
      [
        {
          recordId: a!.id,
          attempt: a!.attempt,
          outcome: {
            kind: "succeeded",
            response: { statusCode: 200, requestId: null, body: "{}" },
            usage: null,
          },
        },
        {
          recordId: b!.id,
          attempt: b!.attempt,
          outcome: { kind: "failed", response: null, error: { code: "timeout", message: "t" } },
        },
      ],
      Date.now(),
    );
    expect(await store.claimFinalizable(Date.now())).toEqual([{ id, endStatus: "completed" }]);
    return id;
  }

  it("gives both files the batch's output_expires_after, counted from their creation", async () => {
    const id = await finishedJob(3600);
    await finalizeJob(store, blobs, id, "completed", 30 * 86_400_000);
    const job = (await store.getJob(id))!;
    for (const fileId of [job.outputFileId!, job.errorFileId!]) {
      const file = (await store.getFile(fileId))!;
      expect(file.expiresAt! - file.createdAt).toBe(3_600_000);
    }
    const out = await blobs.readSmall!((await store.getFile(job.outputFileId!))!.blobKey);
    expect(out.toString()).toContain('"custom_id":"\\ud800"');
  });

  it("falls back to the configured retention without one", async () => {
    const id = await finishedJob();
    await finalizeJob(store, blobs, id, "completed", 86_400_000);
    const file = (await store.getFile((await store.getJob(id))!.outputFileId!))!;
    expect(file.expiresAt! - file.createdAt).toBe(86_400_000);
  });
});
