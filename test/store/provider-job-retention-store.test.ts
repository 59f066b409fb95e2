import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { describeProviderJobRetentionContract } from "../store-contract/provider-job-retention-contract.js";
import { describePostgres, openTestStore } from "./pg-test-db.js";

describeProviderJobRetentionContract("sqlite", async () =>
  openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), "docket-store-")), "docket.db") }),
);
describePostgres("postgres store (provider job retention)", (url) => {
  describeProviderJobRetentionContract("postgres", () => openTestStore(url));
});
