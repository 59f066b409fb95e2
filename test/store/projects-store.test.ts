import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { describeProjectsContract } from "../store-contract/projects-contract.js";
import { describePostgres, openTestStore } from "./pg-test-db.js";

describeProjectsContract("sqlite", async () =>
  openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), "docket-store-")), "docket.db") }),
);
describePostgres("postgres store (projects)", (url) => {
  describeProjectsContract("postgres", () => openTestStore(url));
});
