import { readFileSync, rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../prep/temp-files.js";
import { docket } from "../run/run-support.js";
import { parseJsonl } from "../support/batch-files.js";
import { runArgs } from "../support/run-args.js";
import { pollBatch, startTestDocket, type TestDocket } from "../support/test-docket.js";
import { duckdbQuery, parquetFrom, readParquet } from "./export-parquet-duckdb.js";
import { expectSameAsJsonl } from "./export-parquet-expect.js";

/**
 * `docket export --format parquet` against a real in-process Docket (HTTP, SQLite, workers) in
 * front of the fake backend, read back by DuckDB and compared cell by cell with the JSONL export
 * of the same job (the format whose values are kept as they are).
 */
describe("docket export --format parquet", () => {
  const dir = tempDir();
  let t: TestDocket;

  beforeAll(async () => {
    t = await startTestDocket({
      fake: { outputTokens: 12, fail400Marker: "POISON" },
      route: { models: ["*"] },
    });
  });
  afterAll(async () => {
    await t.close();
    dir.remove();
  });

  const template = (properties: Record<string, unknown>, name = "ticket.template.json") =>
    dir.write(
      name,
      JSON.stringify({
        model: "local-dummy",
        system: "Classify support tickets.",
        user: "Ticket from {{customer}}: {{text}}",
        max_tokens: 40,
        response_format: {
          type: "json_schema",
          json_schema: { name: "ticket", schema: { type: "object", properties } },
        },
      }),
    );
  const TICKET = {
    topic: { type: "string" },
    urgency: { type: "integer" },
    score: { type: "number" },
    escalate: { type: "boolean" },
    tags: { type: "array", items: { type: "string" } },
  };

  /** Runs the dataset to the end and returns the batch id and its JSONL export's lines. */
  async function runToEnd(dataset: string, templatePath: string, idField: string) {
    const jsonl = dir.path(`${Math.random().toString(36).slice(2)}.jsonl`);
    const r = await docket(
      "run",
      dataset,
      "-t",
      templatePath,
      "--id-field",
      idField,
      "--url",
      t.docket.url,
      "--skip-bad-rows",
      "--wait",
      "--out",
      jsonl,
    );
    expect(r.err).toBe("");
    const batchId = /(batch_\w+) created/.exec(r.out)![1]!;
    return { batchId, lines: parseJsonl(readFileSync(jsonl, "utf8")) };
  }

  it("types the columns (schema fields, usage) and holds the same values as the JSONL export", async () => {
    const dataset = dir.write(
      "tickets.csv",
      "id,customer,text,status\n" +
        't1,Ann,"Router ""blinks"" red,\nthen dies",open\n' +
        "t2,Bøb,Invoice is wrong — twice 😀,open\n" +
        ",Cid,Lost parcel,open\n" +
        "t4,Dee,App crashes on login,closed\n" +
        "t5,Eve,POISON pill,open\n" +
        "t6,Fay,Cannot reset password,\n",
    );
    const { batchId, lines } = await runToEnd(dataset, template(TICKET), "id");
    const out = dir.path("tickets.parquet");
    const e = await docket("export", batchId, "--url", t.docket.url, "--out", out);
    expect(e.code).toBe(0);
    expect(e.err).toMatch(/6 rows: 4 succeeded, 1 not_run, 1 failed; wrote .*tickets\.parquet/);

    const back = await readParquet(out);
    expect(back.columns).toEqual([
      { name: "id", type: "VARCHAR" },
      { name: "customer", type: "VARCHAR" },
      { name: "text", type: "VARCHAR" },
      { name: "input.status", type: "VARCHAR" },
      { name: "custom_id", type: "VARCHAR" },
      { name: "status", type: "VARCHAR" },
      { name: "error_code", type: "VARCHAR" },
      { name: "error_message", type: "VARCHAR" },
      { name: "output", type: "VARCHAR" },
      { name: "input_tokens", type: "BIGINT" },
      { name: "output_tokens", type: "BIGINT" },
      { name: "output.topic", type: "VARCHAR" },
      { name: "output.urgency", type: "BIGINT" },
      { name: "output.score", type: "DOUBLE" },
      { name: "output.escalate", type: "BOOLEAN" },
      { name: "output.tags", type: "JSON" },
      { name: "parse_error", type: "VARCHAR" },
    ]);
    expectSameAsJsonl(back, lines);
    // Spot checks that do not lean on the JSONL export.
    expect(back.rows.map((r) => [r.id, r.status])).toEqual([
      ["t1", "succeeded"],
      ["t2", "succeeded"],
      ["", "not_run"],
      ["t4", "succeeded"],
      ["t5", "failed"],
      ["t6", "succeeded"],
    ]);
    expect(back.rows[0]!.text).toBe('Router "blinks" red,\nthen dies');
    expect(back.rows[1]!.customer).toBe("Bøb");
    expect(back.rows[1]!.text).toBe("Invoice is wrong — twice 😀");
    const ok = back.rows[3]!;
    const parsed = JSON.parse(String(ok.output)) as Record<string, unknown>;
    expect(ok["output.urgency"]).toBe(BigInt(parsed.urgency as number));
    expect(ok["output.score"]).toBe(parsed.score);
    expect(ok["output.escalate"]).toBe(parsed.escalate);
    expect(JSON.parse(String(ok["output.tags"]))).toEqual(parsed.tags);
    expect(ok.output_tokens).toBe(12n);
    expect(ok.parse_error).toBeNull();
    expect(back.rows[4]).toMatchObject({
      error_code: "fake_failure_marker",
      output: null,
      "output.topic": null,
    });
    expect(back.rows[2]).toMatchObject({ customer: "Cid", custom_id: null, input_tokens: null });
    // What an analyst runs: typed aggregates straight off the file.
    const [agg] = await duckdbQuery(
      `SELECT count(*) AS n, sum(output_tokens) AS tokens, count("output.escalate") AS answered
       FROM ${parquetFrom(out)} WHERE status = 'succeeded'`,
    );
    expect(agg).toEqual({ n: 4n, tokens: 48n, answered: 4n });
  });

  it("leaves a field that is not of its schema type null and says why in parse_error", async () => {
    const dataset = dir.write("few.csv", "id,customer,text\na,Ann,one\nb,Bob,two\n");
    const { batchId } = await runToEnd(dataset, template(TICKET), "id");
    // Exported with a schema that says the topic (words, as answered) is an integer.
    const wrong = template({ ...TICKET, topic: { type: "integer" } }, "wrong.template.json");
    const out = dir.path("wrong.parquet");
    const e = await docket("export", batchId, "--url", t.docket.url, "-t", wrong, "--out", out);
    expect(e.code).toBe(0);
    const back = await readParquet(out);
    expect(back.columns.find((c) => c.name === "output.topic")!.type).toBe("BIGINT");
    for (const row of back.rows) {
      expect(row.status).toBe("succeeded");
      expect(row["output.topic"]).toBeNull();
      expect(row.parse_error).toMatch(/^output\.topic: expected an integer, got "/);
      expect(typeof row["output.urgency"]).toBe("bigint");
    }
  });

  it("types a JSONL dataset's columns from their values", async () => {
    const dataset = dir.write(
      "rows.jsonl",
      [
        { id: "j1", customer: "Ann", text: "a", n: 1, x: 1, flag: true, meta: { k: [1] }, mixed: "s" },
        { id: "j2", customer: "Bob", text: "b", n: 2, x: 2.5, flag: false, meta: null, mixed: 3 },
        { id: "j3", customer: "Cid", text: "c", n: null, x: -1, flag: null, meta: [1, 2] },
      ]
        .map((r) => JSON.stringify(r))
        .join("\n"),
    );
    const { batchId } = await runToEnd(dataset, template(TICKET), "id");
    const out = dir.path("rows.parquet");
    expect(
      (await docket("export", batchId, "--url", t.docket.url, "--format", "parquet", "-o", out)).code,
    ).toBe(0);
    const back = await readParquet(out);
    const types = Object.fromEntries(back.columns.map((c) => [c.name, c.type]));
    expect(types).toMatchObject({
      id: "VARCHAR",
      n: "BIGINT",
      x: "DOUBLE",
      flag: "BOOLEAN",
      meta: "JSON",
      mixed: "JSON",
    });
    expect(back.rows.map((r) => [r.n, r.x, r.flag])).toEqual([
      [1n, 1, true],
      [2n, 2.5, false],
      [null, -1, null],
    ]);
    expect(back.rows.map((r) => (r.meta === null ? null : JSON.parse(String(r.meta))))).toEqual([
      { k: [1] },
      null,
      [1, 2],
    ]);
    expect(back.rows.map((r) => (r.mixed === null ? null : JSON.parse(String(r.mixed))))).toEqual([
      "s",
      3,
      null,
    ]);
  });

  it("exports one row per request, without input columns, when the recorded input is gone", async () => {
    const dataset = dir.write("plain.csv", "id,customer,text\np1,Ann,x\np2,Bob,POISON\np3,Cid,z\n");
    const { batchId } = await runToEnd(dataset, template(TICKET), "id");
    rmSync(dataset);
    const out = dir.path("noinput.parquet");
    const r = await docket("export", batchId, "--url", t.docket.url, "--format", "parquet", "-o", out);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/recorded input .*plain\.csv is gone/);
    const back = await readParquet(out);
    expect(back.columns[0]).toEqual({ name: "custom_id", type: "VARCHAR" });
    expect(back.rows.map((x) => [x.custom_id, x.status, typeof x["output.urgency"]])).toEqual([
      ["p1", "succeeded", "bigint"],
      ["p2", "failed", "object"],
      ["p3", "succeeded", "bigint"],
    ]);
  });

  it("docket run --out FILE.parquet exports Parquet at the end of the run", async () => {
    const dataset = dir.write("run.csv", "id,customer,text\nr1,Ann,x\nr2,Bob,y\n");
    const out = dir.path("run.results.parquet");
    const r = await docket(...runArgs(dataset, template(TICKET), t.docket.url, "--wait", "--out", out));
    expect(r.out).toMatch(/2 rows: 2 succeeded; wrote .*run\.results\.parquet/);
    const back = await readParquet(out);
    expect(back.rows.map((x) => [x.id, x.status, typeof x["output.urgency"]])).toEqual([
      ["r1", "succeeded", "bigint"],
      ["r2", "succeeded", "bigint"],
    ]);
  });

  it("--merged exports a retry lineage joined onto the root's dataset (skipped while the server answers 501)", async (ctx) => {
    const dataset = dir.write("lineage.csv", "id,customer,text\nm1,Ann,x\nm2,Bob,POISON\nm3,Cid,z\n");
    const { batchId, lines } = await runToEnd(dataset, template(TICKET), "id");
    const probe = await fetch(`${t.docket.url}/v1/batches/${batchId}/results?merged=true`);
    await probe.body?.cancel();
    if (probe.status === 501) {
      ctx.skip(
        "GET /v1/batches/{id}/results?merged=true answers 501 (the lineage work has not landed): --merged untested",
      );
    }
    // A batch without retries is its own lineage: the same rows as its files give.
    const alone = dir.path("alone.parquet");
    const a = await docket("export", batchId, "--merged", "--url", t.docket.url, "-o", alone);
    expect(a.err).toMatch(/3 rows: 2 succeeded, 1 failed/);
    expect((await readParquet(alone)).rows.map((r) => [r.id, r.custom_id, r.status, r.output])).toEqual(
      lines.map((l) => [l.id, l.custom_id, l.status, l.output]),
    );

    // m1 again with max_tokens 5: the child's answer (5 tokens) replaces the root's in the merge.
    const retry = await fetch(`${t.docket.url}/v1/batches/${batchId}/retry`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ids: ["m1"], overrides: { max_tokens: 5 } }),
    });
    expect(retry.status).toBe(200);
    const child = (await retry.json()) as { id: string };
    await pollBatch(t.openai, child.id, ["completed"]);
    const merged = dir.path("merged.parquet");
    // Exported from the child: the lineage's root recorded the dataset, so its rows are joined.
    const m = await docket("export", child.id, "--merged", "--url", t.docket.url, "-o", merged);
    expect(m.code).toBe(0);
    const rows = (await readParquet(merged)).rows;
    expect(rows.map((r) => [r.id, r.customer, r.status, r.output_tokens])).toEqual([
      ["m1", "Ann", "succeeded", 5n],
      ["m2", "Bob", "failed", null],
      ["m3", "Cid", "succeeded", 12n],
    ]);
    expect(rows[0]!.output).not.toBe(lines[0]!.output);
    expect(rows[2]!.output).toBe(lines[2]!.output);
  });
});
