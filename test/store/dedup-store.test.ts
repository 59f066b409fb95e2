import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { describeDedupContract } from "../store-contract/dedup-contract.js";
import { describePostgres, openTestStore } from "./pg-test-db.js";

describeDedupContract("sqlite", async () =>
  openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), "docket-store-")), "docket.db") }),
);
describePostgres("postgres store (identical requests once)", (url) => {
  describeDedupContract("postgres", () => openTestStore(url));
});
