import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type FakeBackend, startFakeBackend } from "../../src/backends/fake/fake-backend-server.js";
import { type DocketConfig, defaultConfig } from "../../src/config/config.js";
import { parseProjectsConfig } from "../../src/config/projects-config.js";
import { newId } from "../../src/domain/ids.js";
import { startEmbedded } from "../../src/runtime/embedded.js";
import { openPostgresStore } from "../../src/store/postgres/postgres-store.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { describePostgres, dropSchema, freshSchemaName } from "../store/pg-test-db.js";

/** The route's own ceiling: CONCURRENCY requests at once. */
const CONCURRENCY = 8;
const RECORDS_PER_PROJECT = 2_000;
const bodyOf = (project: string) =>
  JSON.stringify({
    model: "fake-model",
    messages: [{ role: "user", content: `from ${project}` }],
    max_tokens: 4,
  });

/**
 * A project's own ceiling on a route (issue 15): project A has `routes: {fake: {...}}`, project B
 * none; both have work queued on the same route. A is held to its ceiling while B is not slowed.
 * The fake counts each project's requests by a marker in the body.
 */
for (const engine of ["sqlite", "postgres"] as const) {
  const suite =
    engine === "sqlite"
      ? (title: string, body: (url: string) => void) => describe(title, () => body(""))
      : describePostgres;
  suite(`project route limits (${engine})`, (url) => {
    it("rpm 60: A sends about one request a second while B on the same route is not slowed", async () => {
      await withDocket(engine, url, { fake: { rpm: 60 } }, 5, async (sent, seconds) => {
        const { a, b } = sent();
        console.log(
          `${engine}: over ${seconds().toFixed(1)} s A (rpm 60) sent ${a}, B (no ceiling) sent ${b} (${(b / seconds()).toFixed(0)}/s; route ceiling ${CONCURRENCY * 50}/s)`,
        );
        // 1/s steady plus the one-second burst GCRA allows.
        expect(a).toBeLessThanOrEqual(Math.ceil(seconds()) + 2);
        expect(a).toBeGreaterThanOrEqual(Math.floor(seconds()) - 1);
        // B has the route to itself apart from A's trickle: far beyond A's rate (20× it; an
        // absolute 50/s failed on a loaded 2-core machine, where the whole route ran ~100/s).
        expect(b).toBeGreaterThanOrEqual(20 * seconds());
      });
    }, 60_000);

    it("concurrency 1: A never has more than one request in flight while B fills the route", async () => {
      await withDocket(engine, url, { fake: { concurrency: 1 } }, 3, async (sent, seconds) => {
        const { a, b } = sent();
        // Each request takes LATENCY_MS at the fake: one at a time, A can send at most 1000 / LATENCY_MS a second.
        const ceiling = (1000 / LATENCY_MS) * seconds();
        console.log(
          `${engine}: over ${seconds().toFixed(1)} s A (concurrency 1) sent ${a} (one at a time allows ≤ ${ceiling.toFixed(0)}), B sent ${b}`,
        );
        expect(a).toBeGreaterThan(0);
        expect(a).toBeLessThanOrEqual(ceiling + 2);
        // Without the ceiling A would get about half the route (its fair share), 4× what it got.
        expect(b).toBeGreaterThanOrEqual(3 * a);
      });
    }, 60_000);
  });
}

const LATENCY_MS = 20;

async function withDocket(
  engine: "sqlite" | "postgres",
  url: string,
  routes: Record<string, Record<string, number>>,
  runSeconds: number,
  check: (sent: () => { a: number; b: number }, seconds: () => number) => Promise<void>,
): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "docket-project-route-"));
  const schema = freshSchemaName();
  const fake: FakeBackend = await startFakeBackend({
    latencyMs: LATENCY_MS,
    markerPattern: "from (project-[ab])",
  });
  try {
    const store =
      engine === "sqlite"
        ? openSqliteStore({ path: join(dataDir, "docket.db") })
        : await openPostgresStore({ url, schema, poolSize: 2 });
    await seed(store, "project-a");
    await seed(store, "project-b");
    await store.close();
    const config = defaultConfig();
    config.dataDir = dataDir;
    if (engine === "postgres") {
      config.databaseUrl = url;
      config.databaseSchema = schema;
    }
    config.server.port = 0;
    config.worker.maintenanceMs = 100;
    config.worker.pollMs = 200;
    config.routes = [
      {
        name: "fake",
        models: ["fake-*"],
        backend: { type: "openai", baseUrl: fake.url },
        concurrency: CONCURRENCY,
        timeoutMs: 10_000,
        maxAttempts: 3,
      },
    ];
    config.projects = parseProjectsConfig({ "project-a": { routes } });
    const docket = await startEmbedded(config as DocketConfig);
    try {
      const sent = () => {
        const m = fake.stats().markers;
        return { a: m["project-a"] ?? 0, b: m["project-b"] ?? 0 };
      };
      while (sent().a + sent().b === 0) await new Promise((r) => setTimeout(r, 5));
      const t0 = Date.now();
      await new Promise((r) => setTimeout(r, runSeconds * 1000));
      const at = sent();
      const seconds = (Date.now() - t0) / 1000;
      await check(
        () => at,
        () => seconds,
      );
    } finally {
      await docket.close({ graceMs: 500 });
    }
  } finally {
    await fake.close();
    if (engine === "postgres") await dropSchema(url, schema);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** One validated, in-progress job of RECORDS_PER_PROJECT records for `projectId`, written through the store. */
async function seed(store: Store, projectId: string): Promise<void> {
  const now = Date.now();
  const id = newId("batch_");
  await store.insertJob({
    id,
    projectId,
    endpoint: "/v1/chat/completions",
    inputFileId: `file-${projectId}`,
    completionWindow: "24h",
    metadata: null,
    createdAt: now,
    expiresAt: now + 86_400_000,
  });
  await store.claimValidation("seeder", 60_000, now);
  const records = Array.from({ length: RECORDS_PER_PROJECT }, (_, i) => ({
    position: i,
    line: i + 1,
    customId: `${projectId}-${i}`,
    route: "fake",
    body: bodyOf(projectId),
  }));
  await store.insertRecords(id, records, 3);
  await store.finishValidation(id, RECORDS_PER_PROJECT, now);
}
