import { afterAll, beforeAll, expect, it } from "vitest";
import { describePostgres, dropSchema, freshSchemaName } from "../store/pg-test-db.js";
import { startTestDocket, type TestDocket } from "../support/test-docket.js";
import { expectPartialReadsMatchFinalFiles, RUN_OPTIONS } from "./run-and-follow.js";

/** The partial-results test on PostgreSQL: `docket serve` with its database on a PG schema. */
describePostgres("partial results on PostgreSQL", (url) => {
  let t: TestDocket;
  const schema = freshSchemaName();

  beforeAll(async () => {
    t = await startTestDocket({
      ...RUN_OPTIONS,
      tune: (c) => {
        c.databaseUrl = url;
        c.databaseSchema = schema;
        c.databasePoolSize = 6;
      },
    });
  });

  afterAll(async () => {
    await t?.close();
    await dropSchema(url, schema);
  });

  it("reads a 10,000-record run every 200 ms into exactly its final output and error files", async () => {
    expect(t.docket.store.engine).toBe("postgres");
    await expectPartialReadsMatchFinalFiles(t, 10_000);
  }, 240_000);
});
