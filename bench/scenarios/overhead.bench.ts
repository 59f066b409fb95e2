import { createReadStream, createWriteStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import pLimit from "p-limit";
import { Pool } from "undici";
import { defaultConfig } from "../../src/config/config.js";
import { bench, chatLines, startBenchDocket } from "../support/bench-docket.js";
import { startFakeProcess } from "../support/fake-process.js";
import { goal } from "../support/goal.js";

const N = 20_000;
const CONCURRENCY = 64;
/** The shipped durability setting, which startBenchDocket keeps: the goals hold only with FULL. */
const SYNCHRONOUS = defaultConfig().worker.sqliteSynchronous;

/**
 * What durability costs: the same 20,000 requests to a zero-latency backend through Docket
 * (SQLite, synchronous=FULL, output file written), through a naive script (p-limit + undici,
 * JSONL in and out, nothing durable), and through BullMQ on the local Redis doing the same
 * per-record work (HTTP call + result stored).
 */
export async function benchOverhead(): Promise<void> {
  const fake = await startFakeProcess([]);
  const dir = mkdtempSync(join(tmpdir(), "docket-overhead-"));
  const lines = chatLines(N);
  const input = join(dir, "in.jsonl");
  writeFileSync(input, `${lines.join("\n")}\n`);
  try {
    const naiveCpu = process.cpuUsage();
    const naive = await runNaive(fake.url, input, join(dir, "out.jsonl"));
    const naiveCpuUs = cpuUsPerRecord(naiveCpu);
    const bull = await runBullmq(fake.url, lines);
    const docketCpu = process.cpuUsage();
    const docket = await runDocket(fake.url, lines);
    const docketCpuUs = cpuUsPerRecord(docketCpu);
    console.log(
      `  naive script ${naive.toFixed(0)}/s, BullMQ ${bull.toFixed(0)}/s, Docket ${docket.toFixed(0)}/s; ` +
        `CPU of this process per record: naive ${naiveCpuUs.toFixed(0)} µs, Docket ${docketCpuUs.toFixed(0)} µs`,
    );
    bench("overhead", {
      records: N,
      docket_per_s: docket,
      naive_per_s: naive,
      bullmq_per_s: bull,
      ratio_to_naive: docket / naive,
      ratio_to_bullmq: docket / bull,
      // CPU per record of this process (the fake backend runs in its own): steadier than the
      // rates on a shared machine, where each run sees a different load.
      naive_cpu_us_per_record: naiveCpuUs,
      docket_cpu_us_per_record: docketCpuUs,
      sqlite_synchronous: SYNCHRONOUS,
    });
    goal({
      name: "overhead.docket_vs_naive",
      value: docket / naive,
      atLeast: 0.7,
      unit: "×",
      what: `durable path ÷ naive script (synchronous=${SYNCHRONOUS}, zero-latency backend)`,
    });
    goal({
      name: "overhead.docket_vs_bullmq",
      value: docket / bull,
      atLeast: 1.5,
      unit: "×",
      what: `durable path ÷ BullMQ, same work (synchronous=${SYNCHRONOUS})`,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await fake.close();
  }
}

function cpuUsPerRecord(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / N;
}

async function runDocket(url: string, lines: string[]): Promise<number> {
  const d = await startBenchDocket({ backendUrl: url, concurrency: CONCURRENCY });
  try {
    const t0 = Date.now();
    const id = await d.submit(lines);
    await d.waitFor(id, ["completed"]);
    return N / ((Date.now() - t0) / 1000);
  } finally {
    await d.close();
  }
}

async function runNaive(url: string, input: string, output: string): Promise<number> {
  const base = new URL(url);
  const pool = new Pool(base.origin, { connections: CONCURRENCY });
  const limit = pLimit(CONCURRENCY);
  const out = createWriteStream(output);
  const t0 = Date.now();
  const tasks: Array<Promise<void>> = [];
  for await (const line of createInterface({ input: createReadStream(input) })) {
    if (!line) continue;
    const req = JSON.parse(line) as { custom_id: string; body: unknown };
    tasks.push(
      limit(async () => {
        const res = await pool.request({
          path: `${base.pathname}/chat/completions`,
          method: "POST",
          body: JSON.stringify(req.body),
          headers: { "content-type": "application/json" },
        });
        const body = await res.body.text();
        out.write(
          `${JSON.stringify({ custom_id: req.custom_id, status: res.statusCode, body: JSON.parse(body) })}\n`,
        );
      }),
    );
  }
  await Promise.all(tasks);
  await new Promise((r) => out.end(r));
  const rate = N / ((Date.now() - t0) / 1000);
  await pool.close();
  return rate;
}

async function runBullmq(url: string, lines: string[]): Promise<number> {
  // BullMQ under ESM wants client instances; workers need maxRetriesPerRequest null (blocking calls).
  const connection = new Redis({ host: "127.0.0.1", port: 6379, maxRetriesPerRequest: null });
  const name = `docket-bench-${Date.now()}`;
  const queue = new Queue(name, { connection });
  const base = new URL(url);
  const pool = new Pool(base.origin, { connections: CONCURRENCY });
  let done = 0;
  let allDone = () => {};
  const finished = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  const worker = new Worker(
    name,
    async (job) => {
      const res = await pool.request({
        path: `${base.pathname}/chat/completions`,
        method: "POST",
        body: JSON.stringify((job.data as { body: unknown }).body),
        headers: { "content-type": "application/json" },
      });
      return { status: res.statusCode, body: await res.body.text() };
    },
    { connection, concurrency: CONCURRENCY },
  );
  worker.on("completed", () => {
    if (++done === N) allDone();
  });
  const t0 = Date.now();
  for (let i = 0; i < lines.length; i += 1000) {
    await queue.addBulk(
      lines.slice(i, i + 1000).map((l) => {
        const req = JSON.parse(l) as { custom_id: string; body: unknown };
        return { name: "req", data: { body: req.body }, opts: { jobId: req.custom_id } };
      }),
    );
  }
  await finished;
  const rate = N / ((Date.now() - t0) / 1000);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await pool.close();
  connection.disconnect();
  return rate;
}
