import { describe, it } from "vitest";
import { runRetryScenario } from "./retry-scenario.js";

describe("retry with lineage on SQLite", () => {
  it("retries 150 of 1,000 records, a truncated 50 with a new max_tokens, a grandchild, and merges them", async () => {
    await runRetryScenario();
  }, 180_000);
});
