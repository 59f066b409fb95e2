import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type FakeBackend, startFakeBackend } from "../../src/backends/fake/fake-backend-server.js";
import { defaultConfig } from "../../src/config/config.js";
import { type RunningApiProcess, startApiProcess } from "../../src/runtime/api-process.js";
import { type RunningWorkerProcess, startWorkerProcess } from "../../src/runtime/worker-process.js";
import { describePostgres, dropSchema, freshSchemaName } from "../store/pg-test-db.js";
import { watchBackendRequests } from "../support/backend-requests.js";
import { chatBatchLines } from "../support/batch-files.js";
import { pollBatch } from "../support/test-docket.js";

const RECORDS = 300;
const CONCURRENCY = 16;
const preciseNow = () => performance.timeOrigin + performance.now();

/**
 * Split mode on PostgreSQL: the cancel is committed by an API that shares nothing with the
 * worker but the database (here both run in this process, on separate pools and without the
 * in-process signal, so the backend pool's requests can be watched). The worker hears of it by
 * LISTEN/NOTIFY (or its periodic check) and drops its prefetch: what it still sends after the
 * cancel returned is only what started in that short window — never its prefetch of 2×16.
 */
describePostgres("cancel in split mode (docket api + docket worker on PostgreSQL)", (url) => {
  let fake: FakeBackend;
  let dir: string;
  let schema: string;
  let api: RunningApiProcess;
  let worker: RunningWorkerProcess;
  let openai: OpenAI;
  let requests: ReturnType<typeof watchBackendRequests>;

  beforeAll(async () => {
    fake = await startFakeBackend({ latencyMs: 300, recordArrivals: true });
    dir = mkdtempSync(join(tmpdir(), "docket-split-"));
    schema = freshSchemaName();
    const config = defaultConfig();
    config.dataDir = dir;
    config.databaseUrl = url;
    config.databaseSchema = schema;
    config.server.port = 0;
    config.worker.leaseMs = 5_000;
    config.worker.pollMs = 200;
    config.worker.maintenanceMs = 100;
    config.routes = [
      {
        name: "fake",
        models: ["*"],
        backend: { type: "openai", baseUrl: fake.url },
        concurrency: CONCURRENCY,
        timeoutMs: 10_000,
        maxAttempts: 3,
      },
    ];
    api = await startApiProcess(config);
    worker = await startWorkerProcess(config);
    openai = new OpenAI({ baseURL: `${api.url}/v1`, apiKey: "test", maxRetries: 0 });
    requests = watchBackendRequests(new URL(fake.url).origin);
  });
  afterAll(async () => {
    requests?.stop();
    await worker?.close(1000);
    await api?.close();
    await fake?.close();
    await dropSchema(url, schema);
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([40, 100])(
    "sends at most a few requests after cancel returns (cancelled after %i)",
    async (after) => {
      fake.resetStats();
      requests.clear();
      const file = await openai.files.create({
        file: new File([`${chatBatchLines(RECORDS).join("\n")}\n`], "in.jsonl"),
        purpose: "batch",
      });
      const batch = await openai.batches.create({
        input_file_id: file.id,
        endpoint: "/v1/chat/completions",
        completion_window: "24h",
      });
      const deadline = Date.now() + 20_000;
      while ((fake.stats().arrivals?.length ?? 0) < after && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 5));
      }
      await openai.batches.cancel(batch.id);
      const returnedAt = preciseNow();
      const done = await pollBatch(openai, batch.id, ["cancelled", "completed"], 30_000);
      const sentAfter = requests.created().filter((at) => at > returnedAt);
      console.log(
        `split mode, cancelled after ${after}: ${sentAfter.length} sent after the cancel returned`,
        sentAfter.map((at) => `+${(at - returnedAt).toFixed(1)} ms`),
      );
      // The prefetch (up to 2 × 16 claimed records) is dropped; only requests started in the
      // moment before the worker heard of the cancel may follow it.
      expect(sentAfter.length).toBeLessThanOrEqual(CONCURRENCY / 2);
      expect(done.status).toBe("cancelled");
      const counts = done.request_counts!;
      expect(counts.completed).toBe(fake.stats().requests);
      expect(counts.failed).toBe(0);
    },
  );
});
