import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RouteConfig } from "../../src/config/config.js";
import { providerBatchDuty } from "../../src/duties/provider-batch.js";
import { openPostgresStore } from "../../src/store/postgres/postgres-store.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { insertRunningJob } from "../../test/support/running-job.js";
import { bench } from "../support/bench-docket.js";
import { startFakeProcess } from "../support/fake-process.js";
import { goal } from "../support/goal.js";
import { benchDatabaseUrl, benchSchema, dropBenchSchema } from "../support/pg-bench-db.js";

const N = 100_000;
const MODEL = "claude-3-5-haiku-latest";
/** The store calls that are ingest's writes (fenced result writes; the leftovers' read). */
const INGEST_WRITES = new Set(["writeProviderResults", "boundAttempts", "readBoundRecords"]);

interface Figures {
  ingestPerS: number;
  storeWritesPerS: number;
  ingestCpuUsPerRecord: number;
  /** The event loop's thread alone (null off Linux): the checkpoint thread and V8's helpers run beside it. */
  ingestMainCpuUsPerRecord: number | null;
  addedMsPerRecord: number;
}

/**
 * Provider batch (issue 13): 100,000 records through one Anthropic Message Batch on the fake
 * (real HTTP, the real client; the fake in a process of its own, as a provider is, so serving
 * the results does not compete with ingest for this event loop), on SQLite with
 * synchronous=FULL and, when a server is reachable, on PostgreSQL. Figures: the ingest rate
 * (results per second from the provider job ending to its last result written, fenced: the
 * download, parsing and the store's writes), the store's share of it, the CPU ingest takes per
 * record (what the rate would be on an idle machine), and the time Docket adds per record on
 * top of the provider's own turnaround (packing, upload, polling, ingest).
 */
export async function benchProviderBatch(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "docket-provider-batch-"));
  try {
    const sqlite = await run("sqlite", openSqliteStore({ path: join(dir, "docket.db") }));
    goal({
      name: "provider-batch.ingest_per_s",
      value: sqlite.ingestPerS,
      atLeast: 50_000,
      unit: "/s",
      what: "provider results ingested into the store (SQLite, synchronous=FULL)",
    });
    goal({
      name: "provider-batch.added_ms_per_record",
      value: sqlite.addedMsPerRecord,
      unit: "ms",
      what: "time Docket adds per record on top of the provider's turnaround",
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await runOnPostgres();
}

async function runOnPostgres(): Promise<void> {
  const baseUrl =
    process.env.DOCKET_BENCH_PG_URL ??
    process.env.DOCKET_TEST_PG_URL ??
    "postgres://postgres@127.0.0.1:5432/test";
  let url: string;
  try {
    url = await benchDatabaseUrl(baseUrl);
  } catch (err) {
    console.log(
      `BENCH provider-batch-pg skipped=${JSON.stringify(`no PostgreSQL at ${baseUrl}: ${(err as Error).message}`)}`,
    );
    return;
  }
  const schema = benchSchema();
  try {
    const pg = await run("postgres", await openPostgresStore({ url, schema }));
    goal({
      name: "provider-batch.pg_ingest_per_s",
      value: pg.ingestPerS,
      unit: "/s",
      what: "provider results ingested into the store (PostgreSQL)",
    });
  } finally {
    await dropBenchSchema(url, schema);
  }
}

async function run(engine: string, opened: Store): Promise<Figures> {
  const fake = await startFakeProcess(["--api", "anthropic"]);
  const store = timedWrites(opened);
  try {
    await insertRunningJob(store, {
      id: "msgbatch_bench",
      format: "anthropic",
      endpoint: "/v1/messages",
      n: N,
      route: "claude-batch",
      record: (i) => ({
        customId: `call-${i}`,
        body: JSON.stringify({
          model: MODEL,
          max_tokens: 64,
          messages: [{ role: "user", content: `Summarize call ${i}.` }],
        }),
      }),
    });
    const route: RouteConfig = {
      name: "claude-batch",
      models: [MODEL],
      backend: { type: "anthropic-batch", baseUrl: fake.url, apiKey: "k", pollMs: 20 },
      concurrency: 1,
      timeoutMs: 60_000,
      maxAttempts: 12,
    };
    const marks: Record<string, { at: number; cpu: NodeJS.CpuUsage; main: number | null }> = {};
    const mark = (name: string) => {
      marks[name] = { at: performance.now(), cpu: process.cpuUsage(), main: mainThreadCpuUs() };
    };
    const duty = providerBatchDuty({
      store,
      routes: [route],
      log: (line) => {
        if (line.includes(" submitted as ")) mark("submitted");
        if (line.includes("; ingesting")) {
          mark("ingesting");
          store.writeMs = 0; // the store's share of ingest alone
        }
        if (line.includes(" ingested ")) mark("ingested");
      },
    })!;
    const started = performance.now();
    const stop = new AbortController();
    for (;;) {
      const t = (await store.getJob("msgbatch_bench"))!.tally;
      if (t.succeeded + t.failed >= N) break;
      await duty.pass(stop.signal);
      await new Promise((r) => setTimeout(r, 5));
    }
    const total = performance.now() - started;
    await duty.close?.();
    const { submitted, ingesting, ingested } = marks;
    if (!submitted || !ingesting || !ingested)
      throw new Error(`provider-batch (${engine}): a step was not logged`);
    const ingestS = (ingested.at - ingesting.at) / 1000;
    const cpuUs = ingested.cpu.user + ingested.cpu.system - ingesting.cpu.user - ingesting.cpu.system;
    const figures: Figures = {
      ingestPerS: N / ingestS,
      storeWritesPerS: N / (store.writeMs / 1000),
      ingestCpuUsPerRecord: cpuUs / N,
      ingestMainCpuUsPerRecord:
        ingested.main === null || ingesting.main === null ? null : (ingested.main - ingesting.main) / N,
      // The fake ends a batch at its first look after creation (turnaround 0): all of `total` is Docket's.
      addedMsPerRecord: total / N,
    };
    console.log(
      `  ${engine}: ${N} records packed and submitted in ${((submitted.at - started) / 1000).toFixed(1)} s, ingested in ${ingestS.toFixed(1)} s (${figures.ingestPerS.toFixed(0)}/s; store writes ${figures.storeWritesPerS.toFixed(0)}/s; ${figures.ingestCpuUsPerRecord.toFixed(1)} µs CPU per record, ${figures.ingestMainCpuUsPerRecord?.toFixed(1) ?? "?"} µs on the event loop's thread); total ${(total / 1000).toFixed(1)} s`,
    );
    bench(engine === "sqlite" ? "provider-batch" : "provider-batch-pg", {
      records: N,
      ingest_per_s: figures.ingestPerS,
      store_writes_per_s: figures.storeWritesPerS,
      ingest_cpu_us_per_record: figures.ingestCpuUsPerRecord,
      ...(figures.ingestMainCpuUsPerRecord === null
        ? {}
        : { ingest_main_cpu_us_per_record: figures.ingestMainCpuUsPerRecord }),
      added_ms_per_record: figures.addedMsPerRecord,
    });
    return figures;
  } finally {
    await store.close();
    await fake.close();
  }
}

/**
 * CPU time of the event loop's thread in µs (Linux: /proc, in clock ticks of 10 ms; null
 * elsewhere). `process.cpuUsage()` counts every thread: the checkpoint thread's copying and
 * V8's helper threads, which on an idle machine run on other cores beside ingest.
 */
function mainThreadCpuUs(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return null;
  }
}

/** The store, timing the calls that are ingest's writes (INGEST_WRITES). */
function timedWrites(store: Store): Store & { writeMs: number } {
  const t = { writeMs: 0 };
  return new Proxy(store as Store & { writeMs: number }, {
    get(target, prop) {
      if (prop === "writeMs") return t.writeMs;
      const v = Reflect.get(target, prop);
      if (typeof v !== "function") return v;
      if (!INGEST_WRITES.has(String(prop))) return v.bind(target);
      return async (...args: unknown[]) => {
        const started = performance.now();
        try {
          return await v.apply(target, args);
        } finally {
          t.writeMs += performance.now() - started;
        }
      };
    },
    set(_target, prop, value) {
      if (prop !== "writeMs") return false;
      t.writeMs = value as number;
      return true;
    },
  });
}
