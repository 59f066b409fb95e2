import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeAnthropic } from "../../src/backends/fake-anthropic/fake-anthropic-server.js";
import type { RouteConfig } from "../../src/config/config.js";
import { providerBatchDuty } from "../../src/duties/provider-batch.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { insertRunningJob } from "../../test/support/running-job.js";
import { bench } from "../support/bench-docket.js";
import { goal } from "../support/goal.js";

const N = 100_000;
const MODEL = "claude-3-5-haiku-latest";

/**
 * Provider batch (issue 13): 100,000 records through one Anthropic Message Batch on the fake
 * (real HTTP, the real client, SQLite with synchronous=FULL). Figures: the ingest rate (results
 * streamed from the provider and written, fenced, to the store) and the time Docket adds per
 * record on top of the provider's own turnaround (packing, upload, polling, ingest).
 */
export async function benchProviderBatch(): Promise<void> {
  const fake = await startFakeAnthropic({});
  const dir = mkdtempSync(join(tmpdir(), "docket-provider-batch-"));
  const store = timedWrites(openSqliteStore({ path: join(dir, "docket.db") }));
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
    const marks: Record<string, number> = {};
    const duty = providerBatchDuty({
      store,
      routes: [route],
      log: (line) => {
        if (line.includes(" submitted as ")) marks.submitted = performance.now();
        if (line.includes("; ingesting")) marks.ingesting = performance.now();
        if (line.includes(" ingested ")) marks.ingested = performance.now();
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
    const ingestPerS = N / (((marks.ingested ?? Number.NaN) - (marks.ingesting ?? Number.NaN)) / 1000);
    // The store's share of ingest alone (the fake provider runs in this process and competes for it).
    const storeWritesPerS = N / (store.writeMs / 1000);
    // The fake ends a batch at its first look after creation (turnaround 0): all of `total` is Docket's.
    const addedMsPerRecord = total / N;
    console.log(
      `  ${N} records: packed and submitted in ${((marks.submitted! - started) / 1000).toFixed(1)} s, ingested at ${ingestPerS.toFixed(0)}/s; total ${(total / 1000).toFixed(1)} s`,
    );
    bench("provider-batch", {
      records: N,
      ingest_per_s: ingestPerS,
      store_writes_per_s: storeWritesPerS,
      added_ms_per_record: addedMsPerRecord,
    });
    goal({
      name: "provider-batch.ingest_per_s",
      value: ingestPerS,
      atLeast: 50_000,
      unit: "/s",
      what: "provider results ingested into the store",
    });
    goal({
      name: "provider-batch.added_ms_per_record",
      value: addedMsPerRecord,
      unit: "ms",
      what: "time Docket adds per record on top of the provider's turnaround",
    });
  } finally {
    await store.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The store, timing the calls ingest makes to it (fenced lookups, result writes, progress). */
function timedWrites(store: Store): Store & { writeMs: number } {
  const timed = new Set(["boundAttempts", "recordResults", "addProviderJobProgress"]);
  const t = { writeMs: 0 };
  return new Proxy(store as Store & { writeMs: number }, {
    get(target, prop) {
      if (prop === "writeMs") return t.writeMs;
      const v = Reflect.get(target, prop);
      if (typeof v !== "function") return v;
      if (!timed.has(String(prop))) return v.bind(target);
      return async (...args: unknown[]) => {
        const started = performance.now();
        try {
          return await v.apply(target, args);
        } finally {
          t.writeMs += performance.now() - started;
        }
      };
    },
  });
}
