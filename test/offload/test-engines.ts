import type { Store } from "../../src/store/store.js";
import { openTestStore } from "../store/pg-test-db.js";
import { openTempStore } from "./offload-harness.js";

// Apart from offload-harness.ts: pg-test-db imports vitest, which the crash tests' child
// processes (offload-child.ts, run by test/support/ts-child) must not load.

export type Engine = "sqlite" | "postgres";

/**
 * The engines a scenario runs on: SQLite always, PostgreSQL when DOCKET_TEST_PG_URL names a
 * server. Under CI a missing server is a failure (the postgres case throws), never a silent skip.
 */
export function testEngines(): Array<[Engine, () => Promise<Store>]> {
  const url = process.env.DOCKET_TEST_PG_URL;
  const ci = ["true", "1"].includes((process.env.CI ?? "").toLowerCase());
  const engines: Array<[Engine, () => Promise<Store>]> = [["sqlite", async () => openTempStore()]];
  if (url) engines.push(["postgres", () => openTestStore(url)]);
  else if (ci)
    engines.push([
      "postgres",
      () =>
        Promise.reject(new Error("CI is set but DOCKET_TEST_PG_URL is not: set it to a reachable server.")),
    ]);
  return engines;
}
