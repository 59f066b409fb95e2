import { Logger, makeWorkerUtils, run, runMigrations, type Task } from "graphile-worker";
import { Pool } from "undici";
import { chatBody, type DbCounters, dbCounters, withPg } from "./pg-bench-db.js";

export interface PeerRun {
  records: number;
  seconds: number;
  counters: DbCounters;
}

const silent = new Logger(() => () => {});

/**
 * graphile-worker 0.17 doing Docket's per-record work: one HTTP call to the fake backend, then
 * the answer stored in a table. `batched` turns on its batching options (a local queue that
 * fetches many jobs per query, and grouped completions); otherwise its defaults, except
 * `concurrency`, matched to Docket's route concurrency (its default of 1 would measure nothing
 * but latency).
 */
export async function runGraphilePeer(o: {
  url: string;
  schema: string;
  backendUrl: string;
  n: number;
  concurrency: number;
  batched: boolean;
  timeLimitMs: number;
}): Promise<PeerRun> {
  const { url, schema } = o;
  await runMigrations({ connectionString: url, schema, logger: silent });
  await withPg(url, (c) =>
    c.query(`CREATE TABLE ${schema}.bench_results (id INTEGER PRIMARY KEY, status INTEGER, body TEXT)`),
  );
  const base = new URL(o.backendUrl);
  const http = new Pool(base.origin, { connections: o.concurrency });
  const path = `${base.pathname.replace(/\/$/, "")}/chat/completions`;
  const call: Task = async (payload, helpers) => {
    const { i } = payload as { i: number };
    const res = await http.request({
      path,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: chatBody(i),
    });
    const body = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`backend answered ${res.statusCode}`);
    await helpers.withPgClient((c) =>
      c.query(`INSERT INTO ${schema}.bench_results (id, status, body) VALUES ($1, $2, $3)`, [
        i,
        res.statusCode,
        body,
      ]),
    );
  };

  const before = await dbCounters(url);
  const utils = await makeWorkerUtils({ connectionString: url, schema, logger: silent });
  for (let from = 0; from < o.n; from += 5000) {
    const specs = Array.from({ length: Math.min(5000, o.n - from) }, (_, k) => ({
      identifier: "call",
      payload: { i: from + k },
    }));
    await utils.addJobs(specs);
  }
  await utils.release();

  const started = performance.now();
  const runner = await run({
    connectionString: url,
    schema,
    concurrency: o.concurrency,
    noHandleSignals: true,
    logger: silent,
    taskList: { call },
    ...(o.batched
      ? {
          preset: {
            worker: {
              localQueue: { size: 4 * o.concurrency },
              completeJobBatchDelay: 0,
              failJobBatchDelay: 0,
            },
          },
        }
      : {}),
  });
  let done = 0;
  await withPg(url, async (c) => {
    const deadline = Date.now() + o.timeLimitMs;
    while (done < o.n && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      const { rows } = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.bench_results`);
      done = rows[0]!.n;
    }
  });
  const seconds = (performance.now() - started) / 1000;
  await runner.stop();
  await http.close();
  const after = await dbCounters(url);
  return {
    records: done,
    seconds,
    counters: {
      commits: after.commits - before.commits,
      activeMs: after.activeMs - before.activeMs,
      rowsWritten: after.rowsWritten - before.rowsWritten,
    },
  };
}
