import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type FakeBedrock, startFakeBedrock } from "../../src/backends/fake-bedrock/fake-bedrock-server.js";
import { registerBatchCommands } from "../../src/cli/commands/batches.js";
import { runCliInProcess } from "../support/in-process-cli.js";
import { startTestDocket, type TestDocket } from "../support/test-docket.js";

/**
 * The CLI path of a Bedrock batch file: `docket submit records.jsonl --format bedrock --model ID
 * --wait`, then `docket results ID --out dir/`, which lays out `records.jsonl.out` and
 * `manifest.json.out` as Bedrock writes them to its output location.
 */
const CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0";
let t: TestDocket;
let bedrock: FakeBedrock;
const dir = mkdtempSync(join(tmpdir(), "docket-bedrock-cli-"));

beforeAll(async () => {
  bedrock = await startFakeBedrock({ latencyMs: 0 });
  t = await startTestDocket({
    tune: (c) => {
      c.routes.unshift({
        name: "bedrock",
        models: ["anthropic.*"],
        backend: {
          type: "bedrock",
          region: "us-east-1",
          endpoint: bedrock.url,
          accessKeyId: "AKID",
          secretAccessKey: "s",
        },
        concurrency: 16,
        timeoutMs: 10_000,
        maxAttempts: 3,
      });
    },
  });
});

afterAll(async () => {
  await t?.close();
  await bedrock?.close();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCliInProcess([registerBatchCommands], [...args, "--url", t.docket.url]);

it("submits a Bedrock file with --format bedrock --wait and writes <input>.out and manifest.json.out", async () => {
  const inputs = Array.from(
    { length: 30 },
    (_, i) =>
      `{"anthropic_version":"bedrock-2023-05-31","max_tokens":6,"messages":[{"role":"user","content":"Call ${i}"}]}`,
  );
  const file = join(dir, "records.jsonl");
  writeFileSync(file, `${inputs.map((m, i) => `{"recordId":"R${i}","modelInput":${m}}`).join("\n")}\n`);

  const submit = await cli("submit", file, "--format", "bedrock", "--model", CLAUDE, "--wait");
  expect(submit.code, submit.err).toBe(0);
  const id = /^(batch_\S+) created/m.exec(submit.out)?.[1];
  expect(id).toBeDefined();
  expect(submit.out).toMatch(/--out results\//);

  const out = join(dir, "results");
  const results = await cli("results", id!, "--out", out);
  expect(results.code, results.err).toBe(0);
  expect(readdirSync(out).sort()).toEqual(["manifest.json.out", "records.jsonl.out"]);
  const lines = readFileSync(join(out, "records.jsonl.out"), "utf8").trimEnd().split("\n");
  expect(lines).toHaveLength(30);
  let input = 0;
  let output = 0;
  lines.forEach((line, i) => {
    expect(line.startsWith(`{"recordId":"R${i}","modelInput":${inputs[i]},"modelOutput":`)).toBe(true);
    const usage = (
      JSON.parse(line) as { modelOutput: { usage: { input_tokens: number; output_tokens: number } } }
    ).modelOutput.usage;
    input += usage.input_tokens;
    output += usage.output_tokens;
  });
  expect(JSON.parse(readFileSync(join(out, "manifest.json.out"), "utf8"))).toEqual({
    totalRecordCount: 30,
    processedRecordCount: 30,
    successRecordCount: 30,
    errorRecordCount: 0,
    inputTokenCount: input,
    outputTokenCount: output,
  });
});

it("needs --model with --format bedrock, and names a bad format", async () => {
  const file = join(dir, "one.jsonl");
  writeFileSync(file, '{"recordId":"a","modelInput":{}}\n');
  const noModel = await cli("submit", file, "--format", "bedrock");
  expect(noModel.code).toBe(1);
  expect(noModel.err).toMatch(/--model/);
  const badFormat = await cli("submit", file, "--format", "csv");
  expect(badFormat.code).toBe(1);
  expect(badFormat.err).toMatch(/--format must be openai or bedrock/);
});
