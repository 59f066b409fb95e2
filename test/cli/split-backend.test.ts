import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type FakeBackend, startFakeBackend } from "../../src/backends/fake/fake-backend-server.js";
import { describePostgres, dropSchema, freshSchemaName } from "../store/pg-test-db.js";
import { chatBatchLines, writeLines } from "../support/batch-files.js";
import { type ChildDocket, spawnDocket } from "../support/child-docket.js";

/**
 * `docket api --backend URL` and `docket worker --backend URL` (no config file), as built CLI
 * processes on PostgreSQL: the API resolves models through the --backend route (an invocation
 * is accepted) and the worker runs a batch through it.
 */
describePostgres("docket api / worker --backend", (url) => {
  let fake: FakeBackend;
  let api: ChildDocket;
  let worker: ChildDocket;
  const dir = mkdtempSync(join(tmpdir(), "docket-split-backend-"));
  const schema = freshSchemaName();

  beforeAll(async () => {
    fake = await startFakeBackend({ outputTokens: 3 });
    const common = ["--database-url", url, "--database-schema", schema, "--blobs-dir", join(dir, "blobs")];
    api = await spawnDocket(["api", ...common, "--port", "0", "--backend", fake.url]);
    worker = await spawnDocket(["worker", ...common, "--backend", fake.url], { waitForUrl: false });
  }, 60_000);
  afterAll(async () => {
    for (const p of [api, worker]) p?.proc.kill("SIGTERM");
    await Promise.all([api?.exited, worker?.exited]);
    await fake?.close();
    await dropSchema(url, schema);
    rmSync(dir, { recursive: true, force: true });
  });

  it("routes every model to --backend in both processes", async () => {
    const file = writeLines(join(dir, "in.jsonl"), chatBatchLines(3, { model: "any-model-at-all" }));
    const submit = await spawnDocket(["submit", file, "--url", api.url, "--wait"], { waitForUrl: false });
    expect(await submit.exited, submit.output()).toBe(0);
    expect(submit.output()).toMatch(/completed {2}3\/3 completed, 0 failed/);
    expect(fake.stats().requests).toBe(3);

    const body = join(dir, "body.json");
    writeFileSync(
      body,
      JSON.stringify({ model: "another-model", messages: [{ role: "user", content: "hi" }] }),
    );
    // The API resolves the body's model through the --backend route (no --model given).
    const invoke = await spawnDocket(["invoke", body, "--url", api.url], { waitForUrl: false });
    expect(await invoke.exited, invoke.output()).toBe(0);
    expect(invoke.output()).toMatch(/^inv_\w+ queued, \d+ bytes$/m);
  }, 60_000);
});
