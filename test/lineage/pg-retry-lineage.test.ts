import { it } from "vitest";
import { describePostgres } from "../store/pg-test-db.js";
import { onFreshSchema } from "../support/pg-schema.js";
import { runRetryScenario } from "./retry-scenario.js";

describePostgres("retry with lineage on PostgreSQL", (url) => {
  it("retries 150 of 1,000 records, a truncated 50 with a new max_tokens, a grandchild, and merges them", async () => {
    await onFreshSchema(url, runRetryScenario);
  }, 180_000);
});
