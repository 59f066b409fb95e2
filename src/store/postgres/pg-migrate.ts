import type pg from "pg";
import { migration0001 } from "./migrations/0001-initial.js";
import { migration0002 } from "./migrations/0002-leaders-workers.js";
import { migration0003 } from "./migrations/0003-invocations-webhooks.js";
import { migration0004 } from "./migrations/0004-job-budgets.js";
import { migration0005 } from "./migrations/0005-exact-input.js";
import { migration0006 } from "./migrations/0006-plain-invocation-endpoint.js";
import { migration0007 } from "./migrations/0007-job-format.js";
import { migration0008 } from "./migrations/0008-dashboard.js";
import { migration0009 } from "./migrations/0009-api-keys.js";
import { migration0010 } from "./migrations/0010-provider-jobs.js";
import { migration0011 } from "./migrations/0011-lineage.js";
import { migration0012 } from "./migrations/0012-dedup-cache.js";
import { migration0013 } from "./migrations/0013-validation-progress.js";
import { checkSchemaName, transaction } from "./pg-connection.js";

/** Numbered and append-only: never edit a shipped migration, add the next number. */
const MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  { version: 1, sql: migration0001 },
  { version: 2, sql: migration0002 },
  { version: 3, sql: migration0003 },
  { version: 4, sql: migration0004 },
  { version: 5, sql: migration0005 },
  { version: 6, sql: migration0006 },
  { version: 7, sql: migration0007 },
  { version: 8, sql: migration0008 },
  { version: 9, sql: migration0009 },
  { version: 10, sql: migration0010 },
  { version: 11, sql: migration0011 },
  { version: 12, sql: migration0012 },
  { version: 13, sql: migration0013 },
];

/**
 * Brings the schema up to date. Many API and worker processes may start at once: a
 * transaction-scoped advisory lock (keyed by schema) lets exactly one of them migrate while the
 * others wait and then find nothing left to do. DDL is transactional in PostgreSQL, so a failed
 * migration leaves no half-built schema behind.
 */
export async function migratePostgres(pool: pg.Pool, schema: string | undefined): Promise<void> {
  await transaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`docket.migrate:${schema ?? ""}`]);
    if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${checkSchemaName(schema)}`);
    await client.query(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)",
    );
    const { rows } = await client.query<{ version: number }>("SELECT version FROM schema_migrations");
    const applied = new Set(rows.map((r) => r.version));
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      await client.query(m.sql);
      await client.query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)", [
        m.version,
        Date.now(),
      ]);
    }
  });
}
