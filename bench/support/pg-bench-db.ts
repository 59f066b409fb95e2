import { randomBytes } from "node:crypto";
import pg from "pg";
import { newId } from "../../src/domain/ids.js";
import { DEFAULT_PROJECT } from "../../src/http/key-auth.js";
import type { Store } from "../../src/store/store.js";

/**
 * A database of its own for the PostgreSQL benchmarks, so `pg_stat_database` counts only the
 * statements of the run being measured (tests of other work may share the server).
 */
export async function benchDatabaseUrl(baseUrl: string, name = "docket_bench"): Promise<string> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    const { rows } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (rows.length === 0) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export function benchSchema(): string {
  return `bench_${randomBytes(5).toString("hex")}`;
}

export async function dropBenchSchema(url: string, schema: string): Promise<void> {
  await withPg(url, (c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
}

export async function withPg<T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface DbCounters {
  commits: number;
  /** Milliseconds backends spent executing statements in this database (PostgreSQL 14+). */
  activeMs: number;
  rowsWritten: number;
}

/** This database's cumulative counters; read once the measured backends have exited (flushed). */
export async function dbCounters(url: string): Promise<DbCounters> {
  return withPg(url, async (c) => {
    await c.query("SELECT pg_stat_clear_snapshot()");
    const { rows } = await c.query<{ commits: string; active: number; written: string }>(
      `SELECT xact_commit AS commits, active_time AS active,
         tup_inserted + tup_updated + tup_deleted AS written
       FROM pg_stat_database WHERE datname = current_database()`,
    );
    const r = rows[0]!;
    return { commits: Number(r.commits), activeMs: Number(r.active), rowsWritten: Number(r.written) };
  });
}

export function chatBody(i: number): string {
  return JSON.stringify({
    model: "bench-model",
    max_tokens: 8,
    messages: [{ role: "user", content: `Say something about ${i}.` }],
  });
}

/**
 * A job of `n` records written straight through the store (skipping the upload and validation,
 * which are not what this benchmark measures), held in validation by the seeder. Call it
 * before starting workers, so none can take the validation; `startJob` then makes it runnable.
 */
export async function seedJob(store: Store, n: number, route: string): Promise<string> {
  const id = newId("batch_");
  const now = Date.now();
  await store.insertJob({
    id,
    projectId: DEFAULT_PROJECT,
    endpoint: "/v1/chat/completions",
    inputFileId: "file-bench",
    completionWindow: "24h",
    metadata: null,
    createdAt: now,
    expiresAt: now + 86_400_000,
  });
  const claimed = await store.claimValidation("bench-seeder", 600_000, now);
  if (claimed?.id !== id) throw new Error("another process took the seeded job's validation");
  for (let from = 0; from < n; from += 5000) {
    const chunk = Array.from({ length: Math.min(5000, n - from) }, (_, k) => {
      const i = from + k;
      return { position: i, line: i + 1, customId: `r-${i}`, route, body: chatBody(i) };
    });
    await store.insertRecords(id, chunk, 3);
  }
  return id;
}

/** The seeded job's records become claimable, and workers are told. */
export async function startJob(store: Store, id: string, n: number): Promise<void> {
  await store.finishValidation(id, n, Date.now());
  await store.capabilities.workHints?.hintWork();
}

/** Clock ticks per second of /proc/<pid>/stat's CPU fields (100 on Linux x86-64). */
const CLOCK_TICKS = 100;

/**
 * CPU milliseconds spent so far by each PostgreSQL server process serving this database (one
 * per connection, so read it while the measured clients are still connected), by process id.
 * Linux only, and only where the server runs on this machine: null when none of its processes
 * can be read here, or a process id here is not a postgres process (a server elsewhere).
 */
export async function serverCpuMs(url: string): Promise<Map<number, number> | null> {
  const { readFile } = await import("node:fs/promises");
  const pids = await withPg(url, async (c) => {
    const { rows } = await c.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
    );
    return rows.map((r) => r.pid);
  });
  const cpu = new Map<number, number>();
  for (const pid of pids) {
    let stat: string;
    try {
      stat = await readFile(`/proc/${pid}/stat`, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") continue; // closed, or not on this machine
      return null;
    }
    if (!stat.includes("(postgres")) return null;
    // Fields after the parenthesised command name: state is the 3rd, utime the 14th, stime the 15th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    cpu.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS);
  }
  return pids.length > 0 && cpu.size === 0 ? null : cpu;
}

/** CPU ms the server spent between two readings (connections opened in between count whole). */
export function serverCpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let ms = 0;
  for (const [pid, t] of after) ms += t - (before.get(pid) ?? 0);
  return ms;
}
