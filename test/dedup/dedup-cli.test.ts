import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerBatchCommands } from "../../src/cli/commands/batches.js";
import { registerRunCommand } from "../../src/cli/commands/run.js";
import { runCliInProcess } from "../support/in-process-cli.js";
import { runArgs } from "../support/run-args.js";
import { startTestDocket, type TestDocket } from "../support/test-docket.js";
import { repeatedLines } from "./dedup-harness.js";

const docket = (...args: string[]) => runCliInProcess([registerRunCommand, registerBatchCommands], args);

/** The CLI side (docs/dedup-and-cache.md): `docket run` dedups by default, `docket submit --dedup`. */
describe("dedup from the CLI", () => {
  let t: TestDocket;
  let dir: string;
  beforeAll(async () => {
    t = await startTestDocket();
    dir = mkdtempSync(join(tmpdir(), "docket-dedup-cli-"));
    const rows = Array.from({ length: 40 }, (_, i) => `t${i},"ticket text ${i % 4}"`);
    writeFileSync(join(dir, "tickets.csv"), `id,text\n${rows.join("\n")}\n`);
    writeFileSync(
      join(dir, "t.json"),
      JSON.stringify({ model: "fake-model", user: "Summarise: {{text}}", max_tokens: 8, temperature: 0 }),
    );
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (...extra: string[]) =>
    docket(
      ...runArgs(join(dir, "tickets.csv"), join(dir, "t.json"), t.docket.url, "--wait", "--out"),
      join(dir, `out-${extra.length}.csv`),
      ...extra,
    );

  it("docket run sends each identical deterministic row once, unless --no-dedup", async () => {
    const before = t.fake.stats().requests;
    const deduped = await run();
    expect(deduped.code).toBe(0);
    expect(t.fake.stats().requests - before).toBe(4);
    expect(deduped.out).toContain("not sent: 36 identical to another request, 0 from the cache");

    const every = await run("--no-dedup");
    expect(every.code).toBe(0);
    expect(t.fake.stats().requests - before).toBe(44);
    expect(every.out).not.toContain("not sent:");
  });

  it("docket submit --dedup, and docket status shows what it saved", async () => {
    const input = join(dir, "in.jsonl");
    writeFileSync(input, `${repeatedLines(30, 3).join("\n")}\n`);
    const before = t.fake.stats().requests;
    const submitted = await docket("submit", input, "--dedup", "--wait", "--url", t.docket.url);
    expect(submitted.code).toBe(0);
    expect(t.fake.stats().requests - before).toBe(3);
    const id = /(batch_\w+) created/.exec(submitted.out)![1]!;
    const status = await docket("status", id, "--url", t.docket.url);
    expect(status.out).toContain("not sent: 27 identical to another request, 0 from the cache; saved ");

    const plain = await docket("submit", input, "--wait", "--url", t.docket.url);
    expect(plain.code).toBe(0);
    expect(t.fake.stats().requests - before).toBe(33);
  });
});
