import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerBatchCommands } from "../../src/cli/commands/batches.js";
import { registerRetryCommand } from "../../src/cli/commands/retry.js";
import { registerRunCommand } from "../../src/cli/commands/run.js";
import { readParquet } from "../cli/export-parquet-duckdb.js";
import { readExport } from "../run/run-support.js";
import { runCliInProcess } from "../support/in-process-cli.js";
import { runArgs } from "../support/run-args.js";
import { type LineageDocket, REJECT, resetSent, sentBodies, startLineageDocket } from "./lineage-harness.js";

const docket = (...args: string[]) =>
  runCliInProcess([registerRunCommand, registerRetryCommand, registerBatchCommands], args);

/**
 * `docket run … --resume`, `docket retry` and `docket results --merged` as a user types them (in
 * process, against a real `docket serve`): the rows without a success are run again, once.
 */
describe("the lineage commands", () => {
  let d: LineageDocket;
  let dataset: string;
  let template: string;
  let server: string[];

  beforeAll(async () => {
    d = await startLineageDocket();
    server = ["--url", d.t.docket.url];
    dataset = join(d.t.dataDir, "tickets.csv");
    template = join(d.t.dataDir, "triage.template.json");
    const rows = Array.from(
      { length: 30 },
      (_, i) => `T${i},${i % 6 === 0 ? `${REJECT} ` : ""}ticket text ${i}`,
    );
    writeFileSync(dataset, `id,text\n${rows.join("\n")}\n`);
    writeFileSync(
      template,
      JSON.stringify({
        model: "fake-model",
        endpoint: "/v1/chat/completions",
        user: "Triage: {{text}}",
        max_tokens: 32,
        temperature: 0,
      }),
    );
  }, 60_000);

  afterAll(async () => d?.close());

  /** `docket run` of the dataset with `tmpl`, against the test server. */
  const runRows = (tmpl: string, ...more: string[]) =>
    docket(...runArgs(dataset, tmpl, d.t.docket.url, ...more));

  it("resumes a run: only the rows without a success run again, and the export is merged", async () => {
    const run = await runRows(template, "--wait", "--out", join(d.t.dataDir, "first.csv"));
    expect(run.out).toMatch(/Results: 30 rows: 5 failed, 25 succeeded/);
    const rootId = /(batch_\w+) created/.exec(run.out)![1]!;

    d.t.fake.setOptions({ fail400Marker: null });
    resetSent(d);
    const merged = join(d.t.dataDir, "merged.csv");
    const resumed = await runRows(template, "--resume", "--wait", "--out", merged);
    expect(resumed.err).toBe("");
    expect(resumed.out).toContain(`Resuming ${dataset} from ${rootId}`);
    expect(resumed.out).toMatch(/5 rows without a success run again/);
    expect(resumed.code).toBe(0);
    expect(sentBodies(d)).toHaveLength(5);
    expect(sentBodies(d).every((b) => b.includes(REJECT))).toBe(true);
    const rows = await readExport(merged);
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 30 }, (_, i) => `T${i}`));
    expect(rows.every((r) => r.status === "succeeded")).toBe(true);

    // Nothing left to run: the merged export again, and no batch made.
    resetSent(d);
    const again = await runRows(template, "--resume", "--wait", "--out", merged);
    expect(again.out).toMatch(/Every row already has a success/);
    expect(again.code).toBe(0);
    expect(sentBodies(d)).toHaveLength(0);
  }, 90_000);

  it("resumes into Parquet with the template's JSON-schema field types, as a plain run exports", async () => {
    const typed = join(d.t.dataDir, "typed.template.json");
    writeFileSync(
      typed,
      JSON.stringify({
        model: "fake-model",
        endpoint: "/v1/chat/completions",
        user: "Triage: {{text}}",
        max_tokens: 32,
        response_format: {
          type: "json_schema",
          json_schema: {
            name: "triage",
            schema: {
              type: "object",
              properties: { topic: { type: "string" }, urgency: { type: "integer" } },
              required: ["topic", "urgency"],
            },
          },
        },
      }),
    );
    d.t.fake.setOptions({ fail400Marker: REJECT });
    const plain = join(d.t.dataDir, "plain.parquet");
    await runRows(typed, "--wait", "--out", plain);
    d.t.fake.setOptions({ fail400Marker: null });
    const resumed = join(d.t.dataDir, "resumed.parquet");
    const run = await runRows(typed, "--wait", "--out", resumed, "--resume");
    expect(run.code).toBe(0);
    const types = (cols: Array<{ name: string; type: string }>) =>
      cols.filter((c) => c.name.startsWith("output.")).map((c) => `${c.name} ${c.type}`);
    const before = await readParquet(plain);
    const after = await readParquet(resumed);
    expect(before.rows.filter((r) => r.status === "failed")).toHaveLength(5);
    expect(types(after.columns)).toEqual(["output.topic VARCHAR", "output.urgency BIGINT"]);
    expect(after.columns).toEqual(before.columns);
    expect(after.rows.map((r) => r.status)).toEqual(Array.from({ length: 30 }, () => "succeeded"));
    expect(after.rows.every((r) => typeof r["output.urgency"] === "bigint")).toBe(true);
  }, 90_000);

  it("retries with --set and writes merged results and errors apart", async () => {
    const lines = Array.from({ length: 12 }, (_, i) =>
      JSON.stringify({
        custom_id: `c${i}`,
        method: "POST",
        url: "/v1/chat/completions",
        body: {
          model: "fake-model",
          max_tokens: 32,
          messages: [{ role: "user", content: `${i < 4 ? REJECT : ""} ${i}` }],
        },
      }),
    );
    const input = join(d.t.dataDir, "small.jsonl");
    writeFileSync(input, `${lines.join("\n")}\n`);
    d.t.fake.setOptions({ fail400Marker: REJECT });
    const submitted = await docket("submit", input, ...server, "--wait");
    const rootId = /(batch_\w+) created/.exec(submitted.out)![1]!;

    const ids = join(d.t.dataDir, "ids.txt");
    writeFileSync(ids, "c0\nc1\n");
    d.t.fake.setOptions({ fail400Marker: null });
    resetSent(d);
    const retried = await docket(
      "retry",
      rootId,
      "--ids-file",
      ids,
      "--set",
      "max_tokens=7",
      "--set",
      "temperature=0",
      ...server,
      "--wait",
    );
    expect(retried.out).toMatch(/created from batch_\w+: 2 requests \(2 id\)/);
    expect(retried.code).toBe(0);
    expect(sentBodies(d).map((b) => JSON.parse(b))).toEqual(
      [0, 1].map((i) => ({ ...JSON.parse(lines[i]!).body, max_tokens: 7, temperature: 0 })),
    );

    const out = join(d.t.dataDir, "merged.jsonl");
    const errors = join(d.t.dataDir, "merged-errors.jsonl");
    const results = await docket("results", rootId, "--merged", "--out", out, "--errors", errors, ...server);
    expect(results.code).toBe(0);
    const ok = readFileSync(out, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l).custom_id);
    const failed = readFileSync(errors, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l).custom_id);
    expect(ok).toEqual(["c0", "c1", ...Array.from({ length: 8 }, (_, i) => `c${i + 4}`)]);
    expect(failed).toEqual(["c2", "c3"]);

    const refused = await docket("retry", rootId, "--only", "expired", ...server);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/matches the selection/);
  }, 90_000);
});
