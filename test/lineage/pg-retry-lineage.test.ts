import { it } from "vitest";
import { describePostgres, dropSchema, freshSchemaName } from "../store/pg-test-db.js";
import { runRetryScenario } from "./retry-scenario.js";

describePostgres("retry with lineage on PostgreSQL", (url) => {
  it("retries 150 of 1,000 records, a truncated 50 with a new max_tokens, a grandchild, and merges them", async () => {
    const schema = freshSchemaName();
    try {
      await runRetryScenario((c) => {
        c.databaseUrl = url;
        c.databaseSchema = schema;
        c.databasePoolSize = 4;
      });
    } finally {
      await dropSchema(url, schema);
    }
  }, 180_000);
});
