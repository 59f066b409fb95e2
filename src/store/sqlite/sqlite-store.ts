import type { LargeBodies, StoreCapabilities } from "../capabilities.js";
import type { Store } from "../store.js";
import { sqliteBacklog } from "./sqlite-backlog.js";
import { SqliteBodyParts } from "./sqlite-body-parts.js";
import { sqliteBudgets } from "./sqlite-budgets.js";
import { sqliteCoordination } from "./sqlite-coordination.js";
import { sqliteDedup } from "./sqlite-dedup.js";
import { sqliteExpiry } from "./sqlite-expiry.js";
import { sqliteFiles } from "./sqlite-files.js";
import { sqliteFinalize } from "./sqlite-finalize.js";
import { sqliteInsights } from "./sqlite-insights.js";
import { sqliteInvocations } from "./sqlite-invocations.js";
import { sqliteJobs } from "./sqlite-jobs.js";
import { sqliteKeys } from "./sqlite-keys.js";
import { sqliteLineage } from "./sqlite-lineage.js";
import { openDocketDatabase } from "./sqlite-open.js";
import { sqlitePartialResults } from "./sqlite-partial-results.js";
import { sqliteProjectUsage } from "./sqlite-project-usage.js";
import { sqliteProviderJobs } from "./sqlite-provider-jobs.js";
import { sqliteProviderResults } from "./sqlite-provider-results.js";
import { sqliteRecords } from "./sqlite-records.js";
import { sqliteRetention } from "./sqlite-retention.js";
import { sqliteShared } from "./sqlite-shared.js";
import { sqliteValidation } from "./sqlite-validation.js";
import { sqliteWebhooks } from "./sqlite-webhooks.js";

export interface SqliteStoreOptions {
  /** Database file; `:memory:` for throwaway stores. */
  path: string;
  /** FULL (default) survives power loss; NORMAL only process crashes, and is faster. */
  synchronous?: "FULL" | "NORMAL";
}

/**
 * The embedded engine: one noun per file (sqlite-files.ts, sqlite-jobs.ts, …), put together
 * here. Both SQLite drivers (sqlite-driver.ts) are synchronous, so every operation is one short
 * transaction on the event loop; claims and acknowledgements are batched by the worker so a
 * transaction (and its fsync) covers many records.
 */
export function openSqliteStore(options: SqliteStoreOptions): Store {
  // Refuses an empty or foreign file; WAL, synchronous, busy timeout, migrations (sqlite-open.ts).
  const db = openDocketDatabase(options.path, options.synchronous ?? "FULL");
  const shared = sqliteShared(db, options.path);
  const bodyParts = new SqliteBodyParts(db);
  const largeBodies: LargeBodies = {
    readBodyPart: async (recordId, part) => bodyParts.read(recordId, part),
  };
  const capabilities: StoreCapabilities = { exclusive: true, workHints: null, largeBodies };
  return {
    engine: "sqlite",
    capabilities,
    async close() {
      await shared.stopCheckpoints();
      if (db.open) db.close();
    },
    ...sqliteFiles(shared),
    ...sqliteJobs(shared),
    ...sqliteValidation(shared, bodyParts),
    ...sqliteRecords(shared, bodyParts),
    ...sqliteExpiry(shared),
    ...sqliteFinalize(shared),
    ...sqlitePartialResults(db),
    ...sqliteRetention(shared),
    ...sqliteCoordination(db),
    ...sqliteBudgets(db),
    ...sqliteInvocations(db),
    ...sqliteWebhooks(db),
    ...sqliteBacklog(db),
    ...sqliteInsights(db),
    ...sqliteKeys(db),
    ...sqliteProjectUsage(db),
    ...sqliteProviderJobs(db),
    ...sqliteProviderResults(shared),
    ...sqliteLineage(db),
    ...sqliteDedup(db),
  };
}
