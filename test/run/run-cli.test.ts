import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeBackend, startFakeBackend } from "../../src/backends/fake/fake-backend-server.js";
import { type ChildDocket, spawnDocket } from "../support/child-docket.js";
import { readExport } from "./run-support.js";

/** `docket run` and `docket export` as a user runs them: built CLI processes against `docket serve`. */
describe("docket run (CLI processes)", () => {
  let fake: FakeBackend;
  let server: ChildDocket;
  let dir: string;

  beforeAll(async () => {
    fake = await startFakeBackend({ outputTokens: 10 });
    dir = mkdtempSync(join(tmpdir(), "docket-run-cli-"));
    server = await spawnDocket(["serve", "--port", "0", "-d", join(dir, "data"), "--backend", fake.url]);
  }, 60_000);
  afterAll(async () => {
    server?.proc.kill("SIGTERM");
    await server?.exited;
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function cli(args: string[]): Promise<{ code: number | null; out: string }> {
    const child = await spawnDocket(args, { waitForUrl: false });
    const code = await child.exited;
    return { code, out: child.output() };
  }

  it("runs the shipped sample end to end and exports one row per transcript, in order", async () => {
    const out = join(dir, "results.csv");
    const run = await cli([
      "run",
      "examples/call-center/transcripts.csv",
      "--template",
      "examples/call-center/summarise.template.json",
      "--id-field",
      "call_id",
      "--url",
      server.url,
      "--wait",
      "--out",
      out,
    ]);
    expect(run.out).toMatch(/50 rows read, 50 prepared/);
    expect(run.out).toMatch(/Results: 50 rows: 50 succeeded; wrote /);
    expect(run.code).toBe(0);
    const rows = await readExport(out);
    expect(rows.map((r) => r.call_id)).toEqual(
      Array.from({ length: 50 }, (_, i) => `CALL-${String(i + 1).padStart(4, "0")}`),
    );
    expect(rows.every((r) => r.status === "succeeded" && r.output_tokens === "10")).toBe(true);
    expect(String(rows[0]!.transcript)).toMatch(/^Customer: Hi, my internet/);

    const id = /(batch_\w+) created/.exec(run.out)![1]!;
    const jsonl = join(dir, "again.jsonl");
    const exported = await cli(["export", id, "--url", server.url, "--format", "jsonl", "--out", jsonl]);
    expect(exported.code).toBe(0);
    expect(exported.out).toMatch(/50 rows: 50 succeeded/);
    const again = await readExport(jsonl);
    expect(again.map((r) => r.output)).toEqual(rows.map((r) => r.output));
  }, 60_000);
});
