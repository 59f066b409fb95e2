import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import type { AutoBackendConfig, BatchQuotaConfig } from "../../src/config/batch-backend-config.js";
import type { Job } from "../../src/domain/job.js";
import { openPostgresStore } from "../../src/store/postgres/postgres-store.js";
import { openSqliteDatabase } from "../../src/store/sqlite/sqlite-driver.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { dropSchema, freshSchemaName, withClient } from "../store/pg-test-db.js";
import { startTestDocket, type TestDocket } from "../support/test-docket.js";
import { batchRoute, type ProviderTarget } from "./provider-target.js";
import type { Engine } from "./test-engines.js";

/** The auto route's price: batch records at half of it. */
export const PRICE = { inputPerMTok: 1, outputPerMTok: 2, batchDiscount: 0.5 };

/**
 * A Docket (`serve`: API, worker, duties) whose `auto` route pairs the target's batch API
 * (route `batch`) with its on-demand backend (route `online`) for the target's model, running a
 * job of `job.n` records on the auto route. The job is written to the store before the Docket
 * starts (its validation runner would otherwise race the writing for a job with no input file).
 * On PostgreSQL in a fresh schema, dropped on close.
 */
export async function startHybridDocket(
  target: ProviderTarget,
  o: {
    auto: Partial<AutoBackendConfig>;
    quotas?: Partial<BatchQuotaConfig>;
    engine?: Engine;
    job: { n: number; windowMs?: number };
  },
): Promise<{ docket: TestDocket; jobId: string }> {
  const url = process.env.DOCKET_TEST_PG_URL;
  if (o.engine === "postgres" && !url) throw new Error("DOCKET_TEST_PG_URL is not set.");
  const schema = o.engine === "postgres" ? freshSchemaName() : null;
  const dataDir = mkdtempSync(join(tmpdir(), "docket-hybrid-"));
  const store = schema
    ? await openPostgresStore({ url: url!, schema, poolSize: 2 })
    : openSqliteStore({ path: join(dataDir, "docket.db") });
  let jobId: string;
  try {
    jobId = await target.job(store, o.job.n, "auto", o.job.windowMs ? { windowMs: o.job.windowMs } : {});
  } finally {
    await store.close();
  }
  const docket = await startTestDocket({
    tune: (c) => {
      c.dataDir = dataDir;
      if (schema) {
        c.databaseUrl = url!;
        c.databaseSchema = schema;
        c.databasePoolSize = 4;
      }
      const common = { concurrency: 8, timeoutMs: 10_000, maxAttempts: 12 };
      c.routes = [
        {
          name: "auto",
          models: [target.model],
          backend: {
            type: "auto",
            batchRoute: "batch",
            onlineRoute: "online",
            minBatchRecords: 1,
            ...o.auto,
          },
          ...common,
          price: PRICE,
        },
        { name: "online", models: ["online-only"], backend: target.onlineBackend(), ...common },
        batchRoute(target, "batch", { minRecordsPerJob: 1, ...o.quotas }, { models: ["batch-only"] }),
      ];
    },
  });
  return {
    jobId,
    docket: {
      ...docket,
      async close() {
        await docket.close();
        rmSync(dataDir, { recursive: true, force: true });
        if (schema) await dropSchema(url!, schema);
      },
    },
  };
}

/**
 * Moves the end of the job's window to `remainingMs` from now, as if its window had run down to
 * that: with `remainingMs` at the route's `onlineFallbackBeforeMs`, the fallback is due from now.
 * The embedded Docket reads the wall clock and has no clock a test can move, so the test moves the
 * deadline instead, once what must happen before the fallback has been seen, rather than wait
 * out a fixed share of the window. Returns the new `expiresAt`.
 */
export async function runWindowDownTo(
  docket: TestDocket,
  jobId: string,
  remainingMs: number,
): Promise<number> {
  const expiresAt = Date.now() + remainingMs;
  const c = docket.config;
  if (c.databaseUrl) {
    const moved = await withClient(
      c.databaseUrl,
      (client) => client.query("UPDATE jobs SET expires_at = $1 WHERE id = $2", [expiresAt, jobId]),
      c.databaseSchema ?? undefined,
    );
    expect(moved.rowCount).toBe(1);
    return expiresAt;
  }
  // A second connection to serve's database file (WAL): it waits out serve's writes.
  const db = openSqliteDatabase(join(c.dataDir, "docket.db"), { timeoutMs: 30_000 });
  try {
    const moved = db.prepare("UPDATE jobs SET expires_at = ? WHERE id = ?").run(expiresAt, jobId);
    expect(Number(moved.changes)).toBe(1);
  } finally {
    db.close();
  }
  return expiresAt;
}

/** The job once it has ended (completed, failed, expired or cancelled). */
export async function jobEnded(docket: TestDocket, jobId: string, timeoutMs: number): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = (await docket.docket.store.getJob(jobId))!;
    if (["completed", "failed", "expired", "cancelled"].includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Tokens at the auto route's list price. */
export function listUsd(u: { input_tokens: number; output_tokens: number }): number {
  return (u.input_tokens * PRICE.inputPerMTok + u.output_tokens * PRICE.outputPerMTok) / 1_000_000;
}

/** Docket's `GET /v1/batches/{id}/provider_jobs`: the provider jobs that ran the job, and its cost split. */
export async function providerJobsView(docket: TestDocket, jobId: string) {
  const res = await fetch(`${docket.docket.url}/v1/batches/${jobId}/provider_jobs`);
  expect(res.status).toBe(200);
  return (await res.json()) as {
    data: Array<{ status: string; records: number; provider_job_id: string | null }>;
    usage: Record<"on_demand" | "batch", { input_tokens: number; output_tokens: number }>;
    cost: { batch_usd: number; on_demand_usd: number; saved_usd: number; total_usd: number } | null;
  };
}

/** Waits until `/metrics` shows one running provider job on route `batch` holding `records`. */
export async function metricsShowRunning(
  docket: TestDocket,
  records: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await (await fetch(`${docket.docket.url}/metrics`)).text();
    if (text.includes('docket_provider_jobs{route="batch",state="running"} 1')) {
      expect(text).toContain(`docket_provider_job_records{route="batch"} ${records}`);
      return;
    }
    if (Date.now() > deadline) throw new Error(`no running provider job in the metrics:\n${text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
