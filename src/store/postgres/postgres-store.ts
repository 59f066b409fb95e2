import type { StoreCapabilities, WorkHints } from "../capabilities.js";
import type { Store } from "../store.js";
import { pgBacklog } from "./pg-backlog.js";
import { pgBudgets } from "./pg-budgets.js";
import { createPool } from "./pg-connection.js";
import { pgCoordination } from "./pg-coordination.js";
import { pgDedup } from "./pg-dedup.js";
import { pgExpiry } from "./pg-expiry.js";
import { pgFiles } from "./pg-files.js";
import { pgFinalize } from "./pg-finalize.js";
import { pgInsights } from "./pg-insights.js";
import { pgInvocations } from "./pg-invocations.js";
import { pgJobs } from "./pg-jobs.js";
import { pgKeys } from "./pg-keys.js";
import { pgLineage } from "./pg-lineage.js";
import { migratePostgres } from "./pg-migrate.js";
import { pgPartialResults } from "./pg-partial-results.js";
import { pgProjectUsage } from "./pg-project-usage.js";
import { pgProviderJobs } from "./pg-provider-jobs.js";
import { pgRecords } from "./pg-records.js";
import { pgRetention } from "./pg-retention.js";
import type { PgTimeouts } from "./pg-timeouts.js";
import { pgValidation } from "./pg-validation.js";
import { pgWebhooks } from "./pg-webhooks.js";
import { PgWorkHints } from "./work-hints.js";

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` */
  url: string;
  /** Schema for Docket's tables, created if missing; default: the server's search_path. */
  schema?: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** Connect, statement and idle-in-transaction limits (pg-timeouts.ts); defaults when absent. */
  timeouts?: PgTimeouts;
}

/**
 * The engine for `docket api` + `docket worker` fleets: one noun per file (pg-files.ts,
 * pg-jobs.ts, …), put together here. Migrates (once, however many processes start together)
 * and opens the pool. Hot operations (claim, acknowledge, renew, release, lease sweep) are each
 * one statement with arrays bound through unnest: one round trip and one commit per batch.
 * Statements that change records and job counters lock records first, then jobs in id order, so
 * deadlocks are rare; one that happens is retried.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const pool = createPool(options.url, options.schema, options.poolSize ?? 10, options.timeouts);
  try {
    await migratePostgres(pool, options.schema);
  } catch (err) {
    await pool.end();
    throw err;
  }
  const hints = new PgWorkHints(options.url, options.schema, options.timeouts?.connectTimeoutMs);
  const workHints: WorkHints = {
    onWorkHint: (listener) => hints.subscribe(listener),
    hintWork: () => hints.notify(pool),
  };
  const capabilities: StoreCapabilities = { exclusive: false, workHints, largeBodies: null };
  return {
    engine: "postgres",
    capabilities,
    async close() {
      await hints.close();
      await pool.end();
    },
    ...pgFiles(pool),
    ...pgJobs(pool),
    ...pgValidation(pool),
    ...pgRecords(pool),
    ...pgExpiry(pool),
    ...pgFinalize(pool),
    ...pgPartialResults(pool),
    ...pgRetention(pool),
    ...pgCoordination(pool),
    ...pgBudgets(pool),
    ...pgInvocations(pool),
    ...pgWebhooks(pool),
    ...pgBacklog(pool),
    ...pgInsights(pool),
    ...pgKeys(pool),
    ...pgProjectUsage(pool),
    ...pgProviderJobs(pool),
    ...pgLineage(pool),
    ...pgDedup(pool),
  };
}
