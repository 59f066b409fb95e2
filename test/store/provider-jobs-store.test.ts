import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { describeProviderJobsContract } from "../store-contract/provider-jobs-contract.js";
import { describePostgres, openTestStore } from "./pg-test-db.js";

describeProviderJobsContract("sqlite", async () =>
  openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), "docket-store-")), "docket.db") }),
);
describePostgres("postgres store (provider jobs)", (url) => {
  describeProviderJobsContract("postgres", () => openTestStore(url));
});
