import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type FakeBackend, startFakeBackend } from "../../src/backends/fake/fake-backend-server.js";
import { describePostgres } from "../store/pg-test-db.js";
import { chatBatchLines, writeLines } from "../support/batch-files.js";
import { type DocketFleet, startFleet, waitFor } from "../support/docket-fleet.js";

/** A route's rpm is the route's, not each process's: two worker processes share it. */
describePostgres("route limits across worker processes", (url) => {
  let fake: FakeBackend;
  let dir: string;
  let fleet: DocketFleet | undefined;

  beforeAll(async () => {
    fake = await startFakeBackend({ latencyMs: 1 });
    dir = mkdtempSync(join(tmpdir(), "docket-pg-limits-"));
  });
  afterAll(async () => {
    await fleet?.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("two worker processes together hold a 600 rpm limit", async () => {
    fleet = await startFleet({
      url,
      dir,
      backendUrl: fake.url,
      workers: 2,
      concurrency: 8,
      worker: { leaseMs: 3000, maintenanceMs: 200, pollMs: 200 },
      route: { rpm: 600 },
    });
    // Both workers registered and told their half of the budget (presence beats every second).
    await waitFor(
      async () => (await fleet!.sql<{ n: number }>("SELECT count(*)::int AS n FROM workers"))[0]!.n === 2,
      10_000,
      "two workers",
    );
    await new Promise((r) => setTimeout(r, 1500));
    const input = writeLines(join(dir, "in.jsonl"), chatBatchLines(300));
    const file = await fleet.openai.files.create({ file: createReadStream(input), purpose: "batch" });
    await fleet.openai.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
    });
    await waitFor(async () => fake.stats().requests > 0, 10_000, "first request");
    const start = Date.now();
    const before = fake.stats().requests;
    await new Promise((r) => setTimeout(r, 4000));
    const sent = fake.stats().requests - before;
    const seconds = (Date.now() - start) / 1000;
    // 10/s for the route plus one second of burst; each process alone would be allowed 10/s,
    // so without sharing the pair would send about twice as many.
    expect(sent).toBeLessThanOrEqual(Math.ceil(10 * seconds) + 10 + 2);
    expect(sent).toBeGreaterThanOrEqual(Math.floor(10 * (seconds - 1)));
  });
});
