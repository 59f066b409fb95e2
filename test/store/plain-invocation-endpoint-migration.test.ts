import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { NewInvocation } from "../../src/domain/invocation.js";
import { openPostgresStore } from "../../src/store/postgres/postgres-store.js";
import { openSqliteDatabase } from "../../src/store/sqlite/sqlite-driver.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { T0 } from "../store-contract/fixtures.js";
import { describePostgres, dropSchema, freshSchemaName, withClient } from "./pg-test-db.js";

/**
 * Before job kinds (issue 11), an invocation job's endpoint was stored as `invocation:/v1/…`.
 * An upgraded database must show it plain and claim the record as an invocation.
 */
const MARKED = "UPDATE jobs SET endpoint = 'invocation:' || endpoint WHERE kind = 'invocation'";

const invocation: NewInvocation = {
  projectId: "default",
  id: "inv_old",
  inferenceId: "inv_old",
  model: "m",
  route: "r1",
  endpoint: "/v1/chat/completions",
  inputFileId: "file-in",
  inputBytes: 1,
  body: JSON.stringify({ input: "files/file-in", bytes: 1 }),
  maxAttempts: 3,
  ttlUntil: T0 + 60_000,
  timeoutMs: 5_000,
  customAttributes: null,
  webhookUrl: null,
  createdAt: T0,
  expiresAt: T0 + 86_400_000,
};

async function expectPlainAfterUpgrade(store: Store): Promise<void> {
  expect((await store.getJob("inv_old"))?.endpoint).toBe("/v1/chat/completions");
  const [claimed] = await store.claimRecords({
    owner: "w1",
    routes: [{ route: "r1", limit: 1 }],
    leaseMs: 10_000,
    now: T0,
  });
  expect(claimed).toMatchObject({ jobId: "inv_old", kind: "invocation", endpoint: "/v1/chat/completions" });
}

describe("upgrade to plain invocation endpoints: sqlite (migration 0007)", () => {
  it("strips the old marker from invocation jobs", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "docket-migrate-")), "docket.db");
    const before = await openSqliteStore({ path });
    await before.insertInvocation(invocation);
    await before.close();
    // Back to the database as 0006 left it: endpoint marked, 0007 not applied.
    const db = openSqliteDatabase(path);
    db.exec(MARKED);
    db.exec("DELETE FROM schema_migrations WHERE version = 7");
    db.close();
    const after = await openSqliteStore({ path });
    try {
      await expectPlainAfterUpgrade(after);
    } finally {
      await after.close();
    }
  });
});

describePostgres("upgrade to plain invocation endpoints: postgres (migration 0006)", (url) => {
  it("strips the old marker from invocation jobs", async () => {
    const schema = freshSchemaName();
    try {
      const before = await openPostgresStore({ url, schema, poolSize: 2 });
      await before.insertInvocation(invocation);
      await before.close();
      await withClient(
        url,
        async (c) => {
          await c.query(MARKED);
          await c.query("DELETE FROM schema_migrations WHERE version = 6");
        },
        schema,
      );
      const after = await openPostgresStore({ url, schema, poolSize: 2 });
      try {
        await expectPlainAfterUpgrade(after);
      } finally {
        await after.close();
      }
    } finally {
      await dropSchema(url, schema);
    }
  });
});
