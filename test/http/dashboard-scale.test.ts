import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalDirBlobStore } from "../../src/blobs/local-dir-blob-store.js";
import { defaultConfig } from "../../src/config/config.js";
import { type RunningApiServer, startApiServer } from "../../src/http/server.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import {
  fillDashboardScale,
  SCALE_FINISHED,
  SCALE_JOBS,
  SCALE_RECORDS,
} from "../support/dashboard-scale-data.js";

const JOBS = SCALE_JOBS;
const RECORDS = SCALE_RECORDS;
const FINISHED = SCALE_FINISHED;

/**
 * The dashboard stays fast at scale (docs/dashboard.md): 10,000 jobs and one job of 1,000,000
 * records, on the embedded store. Job counts come from job rows and the job page's queries are
 * bounded by indexes, so neither grows with the big job's records. The times are printed; their
 * bounds are checked by `npm run bench -- --only dashboard`, not by this test.
 */
describe("dashboard at scale", () => {
  let dir: string;
  let store: Store;
  let server: RunningApiServer;
  let bigJob: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "docket-scale-"));
    store = openSqliteStore({ path: join(dir, "docket.sqlite"), synchronous: "NORMAL" });
    bigJob = await fillDashboardScale(store);
    server = await startApiServer({
      store,
      blobs: new LocalDirBlobStore(join(dir, "blobs")),
      config: defaultConfig().server,
      events: { workAvailable: () => {} },
      host: "127.0.0.1",
      port: 0,
    });
  }, 300_000);

  afterAll(async () => {
    await server?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const timed = async (path: string) => {
    const started = performance.now();
    const res = await fetch(`${server.url}${path}`);
    const body = (await res.json()) as Record<string, unknown>;
    const ms = performance.now() - started;
    console.log(`dashboard at scale: GET ${path} ${ms.toFixed(1)} ms`);
    return { status: res.status, body, ms };
  };

  it("lists, filters and pages 10,000 jobs", async () => {
    await timed("/v1/dashboard/jobs"); // warm the connection and statement cache
    const first = await timed("/v1/dashboard/jobs?limit=100");
    expect(first.status).toBe(200);
    expect(first.body.total).toBe(JOBS);
    const data = first.body.data as Array<{ id: string; counts: { total: number } }>;
    expect(data[0]!.id).toBe(bigJob);
    expect(data[0]!.counts.total).toBe(RECORDS);
    const last = await timed(`/v1/dashboard/jobs?limit=100&after=batch_000100`);
    expect((last.body.data as unknown[]).length).toBe(100);
    const filtered = await timed("/v1/dashboard/jobs?model=model-odd&status=validating&limit=100");
    const odd = Math.floor((JOBS - 1) / 2); // batch_000001, batch_000003, … (the big job has no model)
    expect((filtered.body.data as unknown[]).length).toBe(100);
    expect(filtered.body.has_more).toBe(true);
    expect(filtered.body.total).toBe(odd);
    expect((filtered.body.status_counts as Record<string, number>).validating).toBe(odd);
  });

  it("shows the 1,000,000-record job's page", async () => {
    const page = await timed(`/v1/dashboard/jobs/${bigJob}`);
    expect(page.status).toBe(200);
    const body = page.body as {
      counts: Record<string, number>;
      latency_ms: { sample: number; p50: number };
      throughput: { buckets: Array<{ succeeded: number; failed: number }> };
      error_groups: Array<{ code: string; count: number; samples: unknown[] }>;
    };
    expect(body.counts).toMatchObject({ total: RECORDS, succeeded: FINISHED - 2_000, failed: 2_000 });
    expect(body.latency_ms.sample).toBe(10_000);
    expect(body.latency_ms.p50).toBeGreaterThanOrEqual(100);
    expect(body.throughput.buckets.reduce((n, b) => n + b.succeeded + b.failed, 0)).toBe(FINISHED);
    expect(body.error_groups.map((g) => [g.code, g.count, g.samples.length])).toEqual([
      ["a", 1_000, 3],
      ["b", 1_000, 3],
    ]);
  });
});
