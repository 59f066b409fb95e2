import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { describeBudgetContract } from "../store-contract/budgets-contract.js";
import { describeCoordinationContract } from "../store-contract/coordination-contract.js";
import { describeExactInputContract } from "../store-contract/exact-input-contract.js";
import { describeFinishWithRecordsContract } from "../store-contract/finish-with-records-contract.js";
import { describeFinishedBodiesContract } from "../store-contract/finished-bodies-contract.js";
import { describeInsightsContract } from "../store-contract/insights-contract.js";
import { describeInvocationsContract } from "../store-contract/invocations-contract.js";
import { describeKeysContract } from "../store-contract/keys-contract.js";
import { describeLargeBodyContract } from "../store-contract/large-body-contract.js";
import { describeStoreContract } from "../store-contract/store-contract.js";

describeStoreContract("sqlite", async () =>
  openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), "docket-store-")), "docket.db") }),
);
describeCoordinationContract("sqlite", async () =>
  openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), "docket-store-")), "docket.db") }),
);
describeBudgetContract("sqlite", async () =>
  openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), "docket-store-")), "docket.db") }),
);
describeInvocationsContract("sqlite", async () =>
  openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), "docket-store-")), "docket.db") }),
);
describeExactInputContract("sqlite", async () =>
  openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), "docket-store-")), "docket.db") }),
);
describeLargeBodyContract("sqlite", async () =>
  openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), "docket-store-")), "docket.db") }),
);
describeFinishedBodiesContract("sqlite", async () =>
  openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), "docket-store-")), "docket.db") }),
);
describeFinishWithRecordsContract("sqlite", async () =>
  openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), "docket-store-")), "docket.db") }),
);
describeKeysContract("sqlite", async () =>
  openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), "docket-store-")), "docket.db") }),
);
describeInsightsContract("sqlite", async () =>
  openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), "docket-store-")), "docket.db") }),
);
