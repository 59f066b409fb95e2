import { describe, it } from "vitest";
import { describePostgres } from "../store/pg-test-db.js";
import { onFreshSchema } from "../support/pg-schema.js";
import { runInheritScenario } from "./retry-inherits.js";

const TITLE = "takes the parent's budget and dedup/cache choice unless the retry sets its own";

describe("what a retry's child inherits, on SQLite", () => {
  it(TITLE, () => runInheritScenario(), 120_000);
});

describePostgres("what a retry's child inherits, on PostgreSQL", (url) => {
  it(TITLE, () => onFreshSchema(url, runInheritScenario), 120_000);
});
