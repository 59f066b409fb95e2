import { createReadStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeBackend, startFakeBackend } from "../../src/backends/fake/fake-backend-server.js";
import { chatBatchLines, parseJsonl, writeLines } from "../support/batch-files.js";
import { spawnDocket } from "../support/child-docket.js";

describe("crash recovery", () => {
  let fake: FakeBackend;
  let dir: string;
  beforeAll(async () => {
    fake = await startFakeBackend({ latencyMs: 15 });
    dir = mkdtempSync(join(tmpdir(), "docket-crash-"));
  });
  afterAll(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a serve process SIGKILLed mid-batch finishes after restart with exactly one result per custom_id", async () => {
    const configPath = join(dir, "docket.config.json");
    writeFileSync(
      configPath,
      JSON.stringify({
        worker: { leaseMs: 2000, maintenanceMs: 100, pollMs: 200 },
        routes: [
          { name: "fake", models: ["*"], backend: { type: "openai", baseUrl: fake.url }, concurrency: 16 },
        ],
      }),
    );
    const args = ["serve", "--port", "0", "--data-dir", join(dir, "data"), "--config", configPath];
    const first = await spawnDocket(args);
    const client = (url: string) => new OpenAI({ baseURL: `${url}/v1`, apiKey: "x", maxRetries: 0 });
    const lines = chatBatchLines(10_000);
    const input = writeLines(join(dir, "in.jsonl"), lines);
    const file = await client(first.url).files.create({ file: createReadStream(input), purpose: "batch" });
    const batch = await client(first.url).batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
    });

    // Kill it hard once a good part of the batch is done (and much is still in flight).
    for (;;) {
      const b = await client(first.url).batches.retrieve(batch.id);
      if ((b.request_counts?.completed ?? 0) >= 2000) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    first.proc.kill("SIGKILL");
    await first.exited;
    const sentBeforeCrash = fake.stats().requests;
    expect(sentBeforeCrash).toBeLessThan(10_000);

    const second = await spawnDocket(args);
    try {
      const api = client(second.url);
      let done = await api.batches.retrieve(batch.id);
      const deadline = Date.now() + 120_000;
      while (done.status !== "completed" && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        done = await api.batches.retrieve(batch.id);
      }
      expect(done.status).toBe("completed");
      expect(done.request_counts).toEqual({ total: 10_000, completed: 10_000, failed: 0 });
      const output = parseJsonl<{ custom_id: string }>(
        await (await api.files.content(done.output_file_id!)).text(),
      );
      const ids = output.map((l) => l.custom_id);
      expect(ids.length).toBe(10_000);
      expect(new Set(ids).size).toBe(10_000);
      expect(ids).toEqual(lines.map((l) => JSON.parse(l).custom_id));
      // at-least-once calls: only requests in flight (16) or answered but not yet committed
      // (one group-commit buffer, at most 64) at the crash may have been sent twice
      expect(fake.stats().requests).toBeLessThanOrEqual(10_000 + 16 + 64);
    } finally {
      second.proc.kill("SIGTERM");
      await second.exited;
    }
  });
});
