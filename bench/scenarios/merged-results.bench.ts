import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { NewRecord } from "../../src/domain/record.js";
import { openSqliteDatabase } from "../../src/store/sqlite/sqlite-driver.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { goal } from "../support/goal.js";

const GOALS = { peakRssMb: 200 };
const CHUNK = 5000;
const T0 = Date.now();

export interface MergedResultsOptions {
  /** Requests of the lineage's root; default 1,000,000. */
  records?: number;
}

/**
 * Merged results of a retry lineage (docs/lineage.md) over a million requests: a root whose 3%
 * failed, a child retrying them, a grandchild retrying a tenth of those. The read runs alone in a
 * child process (the built code, no node flags): lines per second and its peak RSS, which must
 * stay bounded whatever the lineage's size (one page per batch, nothing kept per id).
 */
export async function benchMergedResults(o: MergedResultsOptions = {}): Promise<void> {
  const n = o.records ?? 1_000_000;
  const dir = await mkdtemp(join(tmpdir(), "docket-bench-merged-"));
  try {
    const path = join(dir, "docket.db");
    const t0 = performance.now();
    const failed = Array.from({ length: n }, (_, i) => i).filter((i) => i % 33 === 7);
    const again = failed.filter((_, k) => k % 10 === 0);
    const root = await lineageBatch(path, "batch_root", null, n, (i) => i, failed);
    const child = await lineageBatch(
      path,
      "batch_child",
      root,
      failed.length,
      (k) => failed[k]!,
      again.map((_, k) => k * 10),
    );
    const grandchild = await lineageBatch(path, "batch_grand", child, again.length, (k) => again[k]!, []);
    console.log(
      `merged-results: root of ${n.toLocaleString("en-US")} requests (${failed.length} failed), child ` +
        `${failed.length}, grandchild ${again.length}; built in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    const read = await readInChild(path, grandchild);
    if (read.lines !== n) throw new Error(`merged read ${read.lines} lines, expected ${n}`);
    const linesPerS = read.lines / read.seconds;
    console.log(
      `BENCH merged-results lines=${read.lines} mb=${(read.bytes / 1e6).toFixed(0)} seconds=${read.seconds.toFixed(1)} ` +
        `lines_per_s=${linesPerS.toFixed(0)} lines_per_cpu_s=${(read.lines / read.cpuSeconds).toFixed(0)} peak_rss_mb=${read.maxRssMb.toFixed(0)} batches=${read.batches}`,
    );
    goal({
      name: "merged-results.peak_rss_mb",
      value: read.maxRssMb,
      atMost: GOALS.peakRssMb,
      unit: "MB",
      what: `merged results of a ${n.toLocaleString("en-US")}-request lineage of 3 batches, read alone (SQLite)`,
    });
    goal({
      name: "merged-results.lines_per_s",
      value: linesPerS,
      unit: "lines/s",
      what: "merged lines streamed per second (SQLite, same read)",
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * One ended batch of the lineage: `count` records whose ids are the root's `rootIndex(k)`, all
 * succeeded but those at `failedAt` (positions in this batch). Records go in through the store;
 * their results are set in bulk with SQL (running a million requests is not what is measured).
 */
async function lineageBatch(
  path: string,
  id: string,
  parentJobId: string | null,
  count: number,
  rootIndex: (k: number) => number,
  failedAt: readonly number[],
): Promise<string> {
  const store = openSqliteStore({ path, synchronous: "NORMAL" });
  try {
    await store.insertJob({
      id,
      projectId: "default",
      endpoint: "/v1/chat/completions",
      inputFileId: `file-${id}`,
      completionWindow: "24h",
      metadata: null,
      createdAt: T0,
      expiresAt: T0 + 86_400_000,
      parentJobId,
    });
    await store.claimValidation("bench", 600_000, T0);
    for (let start = 0; start < count; start += CHUNK) {
      const records: NewRecord[] = [];
      for (let k = start; k < Math.min(count, start + CHUNK); k++) {
        const i = rootIndex(k);
        records.push({
          position: k,
          line: k + 1,
          customId: `req-${String(i).padStart(7, "0")}`,
          route: "r",
          body: `{"model":"m","max_tokens":64,"messages":[{"role":"user","content":"Question ${i}"}]}`,
        });
      }
      await store.insertRecords(id, records, 3);
    }
    await store.finishValidation(id, count, T0);
  } finally {
    await store.close();
  }
  const db = openSqliteDatabase(path);
  try {
    const answer = `{"id":"chatcmpl-x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"${"lorem ipsum ".repeat(20)}"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":48,"total_tokens":60}}`;
    db.prepare(
      `UPDATE records SET state = 'succeeded', response_status = 200, response_body = ?, finished_at = ? WHERE job_id = ?`,
    ).run(answer, T0, id);
    const fail = db.prepare(
      `UPDATE records SET state = 'failed', response_status = 400, error_code = 'http_400',
         response_body = '{"error":{"message":"bad","type":"invalid_request_error"}}' WHERE job_id = ? AND position = ?`,
    );
    db.transaction(() => {
      for (const k of failedAt) fail.run(id, k);
    }).immediate();
    db.prepare(`UPDATE jobs SET status = 'completed', completed_at = ? WHERE id = ?`).run(T0, id);
  } finally {
    db.close();
  }
  return id;
}

async function readInChild(
  path: string,
  id: string,
): Promise<{
  lines: number;
  bytes: number;
  seconds: number;
  cpuSeconds: number;
  maxRssMb: number;
  batches: number;
}> {
  const child = spawn(process.execPath, [resolve("bench/support/merged-read-child.mjs"), path, id], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const [code] = await once(child, "exit");
  if (code !== 0) throw new Error(`the merged read exited ${code}`);
  return JSON.parse(out.trim().split("\n").pop()!);
}
