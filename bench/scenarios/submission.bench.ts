import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteDatabase } from "../../src/store/sqlite/sqlite-driver.js";
import { bench, chatLines, startBenchDocket } from "../support/bench-docket.js";
import { goal } from "../support/goal.js";

const N = 50_000;

/**
 * Submitting a 50,000-line batch (upload, validate every line, queue the records) against the
 * floor: a raw SQLite bulk insert of the same rows in one transaction into a table of the same
 * shape, through the same driver Docket uses on this Node (sqlite-driver.ts). Ratio = raw time
 * / Docket time.
 */
export async function benchSubmission(): Promise<void> {
  const lines = chatLines(N);
  const raw = rawInsert(lines);
  const d = await startBenchDocket({ backendUrl: "http://127.0.0.1:9/v1" }, (c) => {
    c.worker.pollMs = 60_000;
  });
  try {
    // No backend is reachable: measure until the batch is queued (in_progress), then stop.
    const t0 = Date.now();
    const id = await d.submit(lines);
    await d.waitFor(id, ["in_progress"], 120_000);
    const docketMs = Date.now() - t0;
    await d.client.json("POST", `/v1/batches/${id}/cancel`);
    console.log(`  raw SQLite insert ${raw} ms; Docket upload+validate+queue ${docketMs} ms`);
    bench("submission", {
      lines: N,
      docket_ms: docketMs,
      raw_insert_ms: raw,
      ratio: raw / docketMs,
    });
    goal({
      name: "submission.raw_insert_vs_docket",
      value: raw / docketMs,
      atLeast: 0.25,
      unit: "×",
      what: `raw SQLite insert time ÷ Docket upload+validate+queue of ${N} lines`,
    });
  } finally {
    await d.close();
  }
}

function rawInsert(lines: string[]): number {
  const dir = mkdtempSync(join(tmpdir(), "docket-raw-"));
  const db = openSqliteDatabase(join(dir, "raw.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec(
    "CREATE TABLE records (id INTEGER PRIMARY KEY, job_id TEXT, position INTEGER, line INTEGER, custom_id TEXT, route TEXT, body TEXT, state TEXT DEFAULT 'pending', max_attempts INTEGER)",
  );
  const t0 = Date.now();
  const insert = db.prepare(
    "INSERT INTO records (job_id, position, line, custom_id, route, body, max_attempts) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  db.transaction(() => {
    lines.forEach((l, i) => {
      const r = JSON.parse(l) as { custom_id: string; body: unknown };
      insert.run("job", i, i + 1, r.custom_id, "bench", JSON.stringify(r.body), 12);
    });
  })();
  const ms = Date.now() - t0;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return ms;
}
