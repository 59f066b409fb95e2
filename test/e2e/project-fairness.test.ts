import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { type FakeBackend, startFakeBackend } from "../../src/backends/fake/fake-backend-server.js";
import { type DocketConfig, defaultConfig } from "../../src/config/config.js";
import { generateApiKey } from "../../src/domain/api-key.js";
import { newId } from "../../src/domain/ids.js";
import { startEmbedded } from "../../src/runtime/embedded.js";
import { openPostgresStore } from "../../src/store/postgres/postgres-store.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { describePostgres, dropSchema, freshSchemaName } from "../store/pg-test-db.js";
import { pollBatch } from "../support/test-docket.js";

/** The fake serves CAPACITY requests at once, each LATENCY_MS: the route's ceiling is CAPACITY / LATENCY_MS. */
const CAPACITY = 8;
const LATENCY_MS = 20;
/** B's 10 records must all be answered within this of B creating its batch (validation and finalization included). */
const B_BOUND_MS = 5_000;
const BODY = '{"model":"fake-model","messages":[{"role":"user","content":"hi"}],"max_tokens":4}';

/**
 * Fair sharing between projects (issue 15): project A has 200,000 records queued in 20 jobs on a
 * capacity-limited backend; project B then submits 10 through the API. B's records all finish
 * within B_BOUND_MS while A keeps at least 90% of the route's throughput over the run. A's
 * records are written through the store before the server starts (uploading 200,000 lines is
 * not what is tested); every claim, call and result goes the real way.
 */
describe("fair sharing between projects (SQLite)", () => {
  it("serves B's 10 records within the bound while A keeps ≥ 90% of the route", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "docket-fairness-"));
    try {
      const store = openSqliteStore({ path: join(dataDir, "docket.db"), synchronous: "NORMAL" });
      const seeded = await seed(store, 20, 10_000);
      await store.close();
      await measure((c) => {
        c.dataDir = dataDir;
        c.worker.sqliteSynchronous = "NORMAL";
      }, seeded);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describePostgres("fair sharing between projects (PostgreSQL)", (url) => {
  it("serves B's 10 records within the bound while A keeps ≥ 90% of the route", async () => {
    const schema = freshSchemaName();
    const dataDir = mkdtempSync(join(tmpdir(), "docket-fairness-pg-"));
    try {
      const store = await openPostgresStore({ url, schema, poolSize: 2 });
      const seeded = await seed(store, 10, 2_000);
      await store.close();
      await measure((c) => {
        c.dataDir = dataDir;
        c.databaseUrl = url;
        c.databaseSchema = schema;
      }, seeded);
    } finally {
      await dropSchema(url, schema);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

interface Seeded {
  aJobs: string[];
  keyB: string;
}

/** A's jobs, validated and in progress, and a key for each project (keys turn authentication on). */
async function seed(store: Store, jobs: number, perJob: number): Promise<Seeded> {
  const now = Date.now();
  const aJobs: string[] = [];
  for (let j = 0; j < jobs; j++) {
    const id = newId("batch_");
    await store.insertJob({
      id,
      projectId: "project-a",
      endpoint: "/v1/chat/completions",
      inputFileId: "file-a",
      completionWindow: "24h",
      metadata: null,
      createdAt: now,
      expiresAt: now + 86_400_000,
    });
    await store.claimValidation("seeder", 60_000, now);
    for (let start = 0; start < perJob; start += 2_000) {
      const n = Math.min(2_000, perJob - start);
      const records = Array.from({ length: n }, (_, i) => ({
        position: start + i,
        line: start + i + 1,
        customId: `a-${start + i}`,
        route: "fake",
        body: BODY,
      }));
      await store.insertRecords(id, records, 3);
    }
    await store.finishValidation(id, perJob, now);
    aJobs.push(id);
  }
  let keyB = "";
  for (const projectId of ["project-a", "project-b"]) {
    const { id, key, hash } = generateApiKey();
    await store.createApiKey({
      id,
      projectId,
      role: "member",
      label: "",
      hash,
      createdAt: now,
      revokedAt: null,
    });
    if (projectId === "project-b") keyB = key;
  }
  return { aJobs, keyB };
}

async function measure(tune: (c: DocketConfig) => void, seeded: Seeded): Promise<void> {
  const fake: FakeBackend = await startFakeBackend({ capacity: CAPACITY, latencyMs: LATENCY_MS });
  const config = defaultConfig();
  config.server.port = 0;
  config.worker.maintenanceMs = 100;
  config.worker.pollMs = 200;
  config.routes = [
    {
      name: "fake",
      models: ["fake-*"],
      backend: { type: "openai", baseUrl: fake.url },
      concurrency: CAPACITY,
      timeoutMs: 10_000,
      maxAttempts: 3,
    },
  ];
  tune(config);
  const docket = await startEmbedded(config);
  try {
    const aDone = async () => {
      let done = 0;
      for (const id of seeded.aJobs) done += (await docket.store.getJob(id))!.counts.completed;
      return done;
    };
    // A alone for a while: the route is saturated with A's work.
    await new Promise((r) => setTimeout(r, 1_500));
    const openai = new OpenAI({ baseURL: `${docket.url}/v1`, apiKey: seeded.keyB, maxRetries: 0 });
    const lines = Array.from({ length: 10 }, (_, i) =>
      JSON.stringify({
        custom_id: `b-${i}`,
        method: "POST",
        url: "/v1/chat/completions",
        body: JSON.parse(BODY),
      }),
    );
    const file = await openai.files.create({
      file: new File([`${lines.join("\n")}\n`], "b.jsonl"),
      purpose: "batch",
    });
    const t0 = Date.now();
    const a0 = await aDone();
    const batch = await openai.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
    });
    const ended = await pollBatch(
      openai,
      batch.id,
      ["completed", "failed", "expired", "cancelled"],
      B_BOUND_MS * 4,
    );
    const bMs = Date.now() - t0;
    // Keep the run going a little past B, so A's share is measured over more than B's burst.
    const runEnd = t0 + Math.max(bMs, 5_000);
    await new Promise((r) => setTimeout(r, Math.max(0, runEnd - Date.now())));
    const a1 = await aDone();
    const seconds = (Date.now() - t0) / 1000;
    const aRate = (a1 - a0) / seconds;
    const routeRate = (a1 - a0 + 10) / seconds;
    console.log(
      `fairness: B's 10 records done in ${bMs} ms (bound ${B_BOUND_MS} ms); over ${seconds.toFixed(1)} s A ran ${aRate.toFixed(0)}/s of the route's ${routeRate.toFixed(0)}/s (${((100 * aRate) / routeRate).toFixed(1)}%; ceiling ${(CAPACITY * 1000) / LATENCY_MS}/s)`,
    );
    expect(ended.status).toBe("completed");
    expect(ended.request_counts).toMatchObject({ total: 10, completed: 10, failed: 0 });
    expect(bMs).toBeLessThan(B_BOUND_MS);
    expect(aRate).toBeGreaterThanOrEqual(0.9 * routeRate);
  } finally {
    await docket.close({ graceMs: 1000 });
    await fake.close();
  }
}
