import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { openPostgresStore } from "../src/store/postgres/postgres-store.js";
import { openSqliteStore } from "../src/store/sqlite/sqlite-store.js";
import type { Store } from "../src/store/store.js";
import { type FakeProcess, startFakeProcess } from "./support/fake-process.js";
import { runGraphilePeer } from "./support/graphile-peer.js";
import {
  benchDatabaseUrl,
  benchSchema,
  type DbCounters,
  dbCounters,
  dropBenchSchema,
  seedJob,
  startJob,
} from "./support/pg-bench-db.js";

const BIN = resolve(import.meta.dirname, "../bin/docket.js");
/** Docket's default route concurrency; graphile-worker gets the same. */
const CONCURRENCY = 16;
const TIME_LIMIT_MS = 8_000;

interface Measured {
  records: number;
  seconds: number;
  counters?: DbCounters;
}

const rate = (m: Measured) => m.records / m.seconds;

/**
 * Records/s for 1, 2 and 4 `docket worker` processes on PostgreSQL, and for one `docket serve`
 * on SQLite, against a zero-latency fake backend (the queue's own cost) and a fixed-capacity
 * one (64 at a time, 20 ms: the backend's limit), as ratios to one PostgreSQL worker; the
 * database's cost per record from pg_stat_database (commits, statement time, rows written) in
 * a database of its own; and graphile-worker 0.17 doing the same per-record work in the same
 * run (defaults, and batched). Each measurement stops after 10 s and reports what it got
 * through. Needs PostgreSQL: DOCKET_BENCH_PG_URL, else DOCKET_TEST_PG_URL, else the local default.
 */
export async function benchPgScaling(): Promise<void> {
  const baseUrl =
    process.env.DOCKET_BENCH_PG_URL ??
    process.env.DOCKET_TEST_PG_URL ??
    "postgres://postgres@127.0.0.1:5432/test";
  let url: string;
  try {
    url = await benchDatabaseUrl(baseUrl);
  } catch (err) {
    console.log(
      `BENCH pg-scaling skipped=${JSON.stringify(`no PostgreSQL at ${baseUrl}: ${(err as Error).message}`)}`,
    );
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), "docket-bench-pg-"));
  const zero = await startFakeProcess([]);
  const capped = await startFakeProcess(["--capacity", "64", "--latency-ms", "20"]);
  try {
    const backends: Array<{ name: string; fake: FakeProcess; n: number }> = [
      { name: "zero-latency", fake: zero, n: 10_000 },
      { name: "capacity64-20ms", fake: capped, n: 4_000 },
    ];
    let pgOne: Measured | undefined;
    for (const b of backends) {
      const pg: Record<number, Measured> = {};
      for (const workers of [1, 2, 4]) pg[workers] = await runPgWorkers(url, dir, b.fake.url, workers, b.n);
      const sqlite = await runSqliteServe(dir, b.fake.url, b.n);
      const base = rate(pg[1]!);
      if (b.name === "zero-latency") pgOne = pg[1];
      console.log(
        `BENCH pg-scaling backend=${b.name} pg_1w_rps=${base.toFixed(0)} ` +
          `pg_2w_ratio=${(rate(pg[2]!) / base).toFixed(2)} pg_4w_ratio=${(rate(pg[4]!) / base).toFixed(2)} ` +
          `sqlite_serve_ratio=${(rate(sqlite) / base).toFixed(2)}`,
      );
      console.log(
        `pg-scaling ${b.name}: PostgreSQL 1/2/4 workers ${[1, 2, 4].map((w) => rate(pg[w]!).toFixed(0)).join(" / ")} records/s, ` +
          `SQLite serve ${rate(sqlite).toFixed(0)} records/s`,
      );
      for (const w of [1, 2, 4]) {
        const c = pg[w]!.counters!;
        const n = pg[w]!.records;
        console.log(
          `BENCH pg-scaling db_cost backend=${b.name} workers=${w} commits_per_record=${(c.commits / n).toFixed(3)} ` +
            `db_ms_per_record=${(c.activeMs / n).toFixed(4)} rows_written_per_record=${(c.rowsWritten / n).toFixed(2)}`,
        );
      }
    }

    const peers: Record<string, Measured> = {};
    for (const batched of [false, true]) {
      const schema = benchSchema();
      try {
        peers[batched ? "batched" : "defaults"] = await runGraphilePeer({
          url,
          schema,
          backendUrl: zero.url,
          n: 10_000,
          concurrency: CONCURRENCY,
          batched,
          timeLimitMs: TIME_LIMIT_MS,
        });
      } finally {
        await dropBenchSchema(url, schema);
      }
    }
    const one = rate(pgOne!);
    const gd = peers.defaults!;
    const gb = peers.batched!;
    console.log(
      `BENCH pg-scaling peer=graphile-worker-0.17 backend=zero-latency graphile_defaults_rps=${rate(gd).toFixed(0)} ` +
        `graphile_batched_rps=${rate(gb).toFixed(0)} docket_1w_vs_graphile_defaults=${(one / rate(gd)).toFixed(2)} ` +
        `docket_1w_vs_graphile_batched=${(one / rate(gb)).toFixed(2)} ` +
        `graphile_defaults_commits_per_record=${(gd.counters!.commits / gd.records).toFixed(3)} ` +
        `graphile_defaults_db_ms_per_record=${(gd.counters!.activeMs / gd.records).toFixed(4)} ` +
        `graphile_batched_commits_per_record=${(gb.counters!.commits / gb.records).toFixed(3)} ` +
        `graphile_batched_db_ms_per_record=${(gb.counters!.activeMs / gb.records).toFixed(4)}`,
    );
  } finally {
    await zero.close();
    await capped.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function writeConfig(dir: string, backendUrl: string, name: string): Promise<string> {
  const path = join(dir, `${name}.json`);
  await writeFile(
    path,
    JSON.stringify({
      // Idle workers look every 100 ms (default 1 s), so a run's start is not a poll away.
      worker: { pollMs: 100 },
      routes: [
        {
          name: "bench",
          models: ["*"],
          backend: { type: "openai", baseUrl: backendUrl },
          concurrency: CONCURRENCY,
        },
      ],
    }),
  );
  return path;
}

/** N `docket worker` processes on a fresh schema; timed from the job becoming runnable. */
async function runPgWorkers(
  url: string,
  dir: string,
  backendUrl: string,
  workers: number,
  n: number,
): Promise<Measured> {
  const schema = benchSchema();
  const config = await writeConfig(dir, backendUrl, schema);
  const store = await openPostgresStore({ url, schema, poolSize: 2 });
  const procs: ChildProcess[] = [];
  try {
    const before = await dbCounters(url);
    const jobId = await seedJob(store, n, "bench");
    for (let i = 0; i < workers; i++) {
      procs.push(
        await spawnUntil(
          ["worker", "--config", config, "--database-url", url, "--database-schema", schema],
          /docket worker \S+ started/,
        ),
      );
    }
    const measured = await runJob(store, jobId, n);
    // the finalize (output file) is part of the database's cost per record
    if (measured.records === n) await waitForStatus(store, jobId, "completed", 30_000);
    await Promise.all(procs.map(stop));
    await store.close();
    const after = await dbCounters(url);
    return {
      records: measured.records,
      seconds: measured.seconds,
      counters: {
        commits: after.commits - before.commits,
        activeMs: after.activeMs - before.activeMs,
        rowsWritten: after.rowsWritten - before.rowsWritten,
      },
    };
  } finally {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
    await store.close().catch(() => {});
    await dropBenchSchema(url, schema);
  }
}

/** One `docket serve` process on SQLite (synchronous=FULL, the default). */
async function runSqliteServe(dir: string, backendUrl: string, n: number): Promise<Measured> {
  const dataDir = join(dir, `sqlite-${Date.now()}`);
  const config = await writeConfig(dir, backendUrl, "sqlite");
  // Serve first: at start-up it takes over every lease in its database (it must be alone
  // there), so the job is seeded — its validation leased to this process — only once it runs.
  const proc = await spawnUntil(
    ["serve", "--port", "0", "--data-dir", dataDir, "--config", config],
    /listening on/,
  );
  const store = openSqliteStore({ path: join(dataDir, "docket.db") });
  const jobId = await seedJob(store, n, "bench");
  try {
    const measured = await runJob(store, jobId, n);
    return { records: measured.records, seconds: measured.seconds };
  } finally {
    await stop(proc);
    await store.close();
  }
}

async function runJob(store: Store, jobId: string, n: number): Promise<{ records: number; seconds: number }> {
  await startJob(store, jobId, n);
  const started = performance.now();
  const deadline = Date.now() + TIME_LIMIT_MS;
  let done = 0;
  while (done < n && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    const counts = (await store.getJob(jobId))?.counts;
    done = counts ? counts.completed + counts.failed : 0;
  }
  return { records: done, seconds: (performance.now() - started) / 1000 };
}

async function waitForStatus(store: Store, jobId: string, status: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await store.getJob(jobId))?.status === status) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

function spawnUntil(args: string[], ready: RegExp): Promise<ChildProcess> {
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  return new Promise((res, rej) => {
    const onData = (d: Buffer) => {
      out += d;
      if (ready.test(out)) res(proc);
    };
    proc.stdout!.on("data", onData);
    proc.stderr!.on("data", onData);
    proc.on("exit", (code) => rej(new Error(`docket ${args[0]} exited with ${code}:\n${out}`)));
  });
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once("exit", r));
  proc.kill("SIGTERM");
  await exited;
}
