import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startFakeBackend } from "../../src/backends/fake/fake-backend-server.js";
import { type BenchDocket, bench, startBenchDocket } from "../support/bench-docket.js";
import { goal } from "../support/goal.js";

const N = 50_000;
const DISTINCT = 5_000;

/** `N` deterministic chat requests (temperature 0) repeating every `DISTINCT` lines. */
function repeatedLines(): string[] {
  return Array.from(
    { length: N },
    (_, i) =>
      `{"custom_id":"r-${i}","method":"POST","url":"/v1/chat/completions","body":{"model":"bench-model","temperature":0,"max_tokens":8,"messages":[{"role":"user","content":"Say something about ${i % DISTINCT}."}]}}`,
  );
}

async function submit(d: BenchDocket, lines: string[], extra: Record<string, unknown>, tag: string) {
  const path = join(d.dir, `dedup-${tag}.jsonl`);
  writeFileSync(path, `${lines.join("\n")}\n`);
  const file = await d.client.uploadFile(path, "batch");
  const batch = await d.client.json<{ id: string }>("POST", "/v1/batches", {
    input_file_id: file.id,
    endpoint: "/v1/chat/completions",
    completion_window: "24h",
    ...extra,
  });
  return batch.id;
}

/**
 * Identical requests once (docs/dedup-and-cache.md): what deciding dedup costs validation
 * (50,000 deterministic lines, 5,000 distinct, queued with dedup off and on: hashing, the
 * in-memory leaders, followers stored `following`), and a re-run of the same file answered by the
 * response cache: its time to completed and its model calls (0 is the goal).
 */
export async function benchDedup(): Promise<void> {
  const lines = repeatedLines();
  const queued = await startBenchDocket({ backendUrl: "http://127.0.0.1:9/v1" }, (c) => {
    c.worker.pollMs = 60_000;
  });
  const queueMs: Record<string, number> = {};
  try {
    for (const [tag, dedup] of [
      ["off", false],
      ["on", true],
    ] as const) {
      const t0 = Date.now();
      const id = await submit(queued, lines, { docket_dedup: dedup }, tag);
      await queued.waitFor(id, ["in_progress"], 120_000);
      queueMs[tag] = Date.now() - t0;
      await queued.client.json("POST", `/v1/batches/${id}/cancel`);
    }
  } finally {
    await queued.close();
  }

  const fake = await startFakeBackend({});
  const d = await startBenchDocket({ backendUrl: fake.url }, (c) => {
    c.dedup = {
      maxDistinctPerJob: 200_000,
      cache: {
        enabled: true,
        ttlMs: 3_600_000,
        maxEntries: 100_000,
        maxBytes: 256 * 1024 * 1024,
        maxEntryBytes: 1024 * 1024,
      },
    };
  });
  try {
    const t1 = Date.now();
    const first = await submit(d, lines, { docket_dedup: true }, "first");
    await d.waitFor(first, ["completed"], 300_000);
    const firstMs = Date.now() - t1;
    const callsFirst = fake.stats().requests;
    const t2 = Date.now();
    const again = await submit(d, lines, {}, "again");
    const job = await d.waitFor(again, ["completed"], 300_000);
    const againMs = Date.now() - t2;
    const callsAgain = fake.stats().requests - callsFirst;
    console.log(
      `  queue ${N} lines: dedup off ${queueMs.off} ms, on ${queueMs.on} ms; run with dedup ${firstMs} ms (${callsFirst} calls); ` +
        `re-run from the cache ${againMs} ms (${callsAgain} calls, ${job.dedup?.cached} cached)`,
    );
    bench("dedup", {
      lines: N,
      distinct: DISTINCT,
      queue_off_ms: queueMs.off!,
      queue_on_ms: queueMs.on!,
      queue_on_vs_off: queueMs.on! / queueMs.off!,
      run_dedup_ms: firstMs,
      run_dedup_calls: callsFirst,
      rerun_cached_ms: againMs,
      rerun_calls: callsAgain,
    });
    goal({
      name: "dedup.run_calls",
      value: callsFirst,
      atMost: DISTINCT,
      what: `model calls for ${N} lines of ${DISTINCT} bodies`,
    });
    goal({
      name: "dedup.rerun_calls",
      value: callsAgain,
      atMost: 0,
      what: "model calls re-running the same file, cache on",
    });
    goal({
      name: "dedup.queue_on_vs_off",
      value: queueMs.on! / queueMs.off!,
      unit: "×",
      what: "queue time with dedup on ÷ off",
    });
  } finally {
    await d.close();
    await fake.close();
  }
}
