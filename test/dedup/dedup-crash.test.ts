import { createReadStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeBackend, startFakeBackend } from "../../src/backends/fake/fake-backend-server.js";
import { dropSchema, freshSchemaName } from "../store/pg-test-db.js";
import { parseJsonl, writeLines } from "../support/batch-files.js";
import { type ChildDocket, spawnDocket } from "../support/child-docket.js";
import { type DedupView, type ResultLine, repeatedLines } from "./dedup-harness.js";

const LINES = 3000;
const DISTINCT = 300;
const CONCURRENCY = 4;
/** At-least-once calls: what was in flight, or answered but not committed (one group commit), per crash. */
const REPEATS_PER_CRASH = CONCURRENCY + 64;
const KILLS = 2;

type Engine = { name: string; args: (dir: string) => string[]; cleanup?: () => Promise<void> };

function engines(): Engine[] {
  const list: Engine[] = [{ name: "sqlite", args: (dir) => ["--data-dir", join(dir, "data")] }];
  const url = process.env.DOCKET_TEST_PG_URL;
  if (url) {
    const schema = freshSchemaName();
    list.push({
      name: "postgres",
      args: (dir) => ["--database-url", url, "--database-schema", schema, "--blobs-dir", join(dir, "blobs")],
      cleanup: () => dropSchema(url, schema),
    });
  } else if (["true", "1"].includes((process.env.CI ?? "").toLowerCase())) {
    throw new Error("CI is set but DOCKET_TEST_PG_URL is not: set it to a reachable server.");
  }
  return list;
}

/**
 * kill -9 with dedup on (issue 14): a `docket serve` child is SIGKILLed twice while leaders are
 * answered and their answers handed on, and restarted each time. Every follower must end with its
 * leader's answer written once: one line per id, the job's counters exact (a follower counted
 * twice would push `completed` past the total), and no more calls than leaders plus what a crash
 * may repeat.
 */
describe.each(engines())("dedup through kill -9 ($name)", (engine) => {
  let fake: FakeBackend;
  let dir: string;
  beforeAll(async () => {
    fake = await startFakeBackend({ latencyMs: 15 });
    dir = mkdtempSync(join(tmpdir(), "docket-dedup-crash-"));
  });
  afterAll(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
    await engine.cleanup?.();
  });

  it("writes each fanned-out answer once per id", { timeout: 240_000 }, async () => {
    const configPath = join(dir, "docket.config.json");
    writeFileSync(
      configPath,
      JSON.stringify({
        worker: { leaseMs: 2000, maintenanceMs: 50, pollMs: 200 },
        routes: [
          {
            name: "fake",
            models: ["*"],
            backend: { type: "openai", baseUrl: fake.url },
            concurrency: CONCURRENCY,
            dedup: true,
          },
        ],
      }),
    );
    const args = ["serve", "--port", "0", "--config", configPath, ...engine.args(dir)];
    const client = (s: ChildDocket) => new OpenAI({ baseURL: `${s.url}/v1`, apiKey: "x", maxRetries: 0 });
    let serve = await spawnDocket(args);
    const lines = repeatedLines(LINES, DISTINCT);
    const input = writeLines(join(dir, "in.jsonl"), lines);
    const file = await client(serve).files.create({ file: createReadStream(input), purpose: "batch" });
    const { id } = await client(serve).batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
    });

    try {
      for (let kill = 1; kill <= KILLS; kill++) {
        // Kill once followers are being handed answers, at a different point each time.
        const target = (kill * LINES) / (KILLS + 2);
        for (;;) {
          const b = await client(serve).batches.retrieve(id);
          if ((b.request_counts?.completed ?? 0) >= target) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        serve.proc.kill("SIGKILL");
        await serve.exited;
        serve = await spawnDocket(args);
      }
      const api = client(serve);
      let done = await api.batches.retrieve(id);
      const deadline = Date.now() + 120_000;
      while (done.status !== "completed" && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        done = await api.batches.retrieve(id);
      }
      expect(done.status).toBe("completed");
      expect(done.request_counts).toEqual({ total: LINES, completed: LINES, failed: 0 });
      const dedup = (done as typeof done & { dedup: DedupView }).dedup;
      // Leaders and followers are decided at validation, before any kill: the counts are exact.
      expect(dedup.deduplicated_requests).toBe(LINES - DISTINCT);

      const output = parseJsonl<ResultLine>(await (await api.files.content(done.output_file_id!)).text());
      expect(output.map((l) => l.custom_id)).toEqual(lines.map((_, i) => `r${i}`));
      const byId = new Map(output.map((l) => [l.custom_id, l]));
      let followers = 0;
      for (let i = DISTINCT; i < LINES; i++) {
        const line = byId.get(`r${i}`)!;
        if (!line.docket?.deduplicated) continue;
        followers++;
        expect(line.response).toEqual(byId.get(`r${i % DISTINCT}`)!.response);
      }
      expect(followers).toBe(LINES - DISTINCT);
      expect(fake.stats().requests).toBeLessThanOrEqual(DISTINCT + KILLS * REPEATS_PER_CRASH);
    } finally {
      serve.proc.kill("SIGTERM");
      await serve.exited;
    }
  });
});
