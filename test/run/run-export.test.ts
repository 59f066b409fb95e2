import { readFileSync } from "node:fs";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../prep/temp-files.js";
import { parseJsonl } from "../support/batch-files.js";
import { pollBatch, startTestDocket, type TestDocket } from "../support/test-docket.js";
import { docket, readExport } from "./run-support.js";

/**
 * `docket run` and `docket export` against a real in-process Docket (HTTP, SQLite, workers) in
 * front of the fake backend, whose answers are deterministic and whose usage counts are exact.
 */
describe("docket run / export", () => {
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

  const schemaTemplate = () =>
    dir.write(
      "ticket.template.json",
      JSON.stringify({
        model: "local-dummy",
        system: "Classify support tickets.",
        user: "Ticket from {{customer}}: {{text}}",
        max_tokens: 40,
        response_format: {
          type: "json_schema",
          json_schema: {
            name: "ticket",
            schema: {
              type: "object",
              properties: { topic: { type: "string" }, urgency: { type: "integer" } },
              required: ["topic", "urgency"],
            },
          },
        },
      }),
    );

  it("joins outputs onto the input rows in input order, with JSON-schema fields as columns", async () => {
    // The third row has no id (not run), t5 trips the fake's 400, "status" clashes with a result column.
    const dataset = dir.write(
      "tickets.csv",
      "id,customer,text,status\n" +
        't1,Ann,"Router ""blinks"" red,\nthen dies",open\n' +
        "t2,Bob,Invoice is wrong,open\n" +
        ",Cid,Lost parcel,open\n" +
        "t4,Dee,App crashes on login,closed\n" +
        "t5,Eve,POISON pill,open\n" +
        "t6,Fay,Cannot reset password,open\n",
    );
    const out = dir.path("tickets.results.csv");
    const r = await docket(
      "run",
      dataset,
      "-t",
      schemaTemplate(),
      "--id-field",
      "id",
      "--url",
      t.docket.url,
      "--skip-bad-rows",
      "--wait",
      "--out",
      out,
    );
    expect(r.err).toBe("");
    expect(r.code).toBe(0); // the batch completed; one request in it failed
    expect(r.out).toMatch(/6 rows: 4 succeeded, 1 not_run, 1 failed/);

    const rows = await readExport(out);
    expect(rows.map((x) => [x.id, x.status])).toEqual([
      ["t1", "succeeded"],
      ["t2", "succeeded"],
      ["", "not_run"],
      ["t4", "succeeded"],
      ["t5", "failed"],
      ["t6", "succeeded"],
    ]);
    expect(Object.keys(rows[0]!)).toEqual([
      "id",
      "customer",
      "text",
      "input.status",
      "custom_id",
      "status",
      "error_code",
      "error_message",
      "output",
      "input_tokens",
      "output_tokens",
      "output.topic",
      "output.urgency",
      "parse_error",
    ]);
    expect(rows[0]!.text).toBe('Router "blinks" red,\nthen dies');
    expect(rows[3]!["input.status"]).toBe("closed");
    for (const row of rows.filter((x) => x.status === "succeeded")) {
      const parsed = JSON.parse(String(row.output)) as { topic: string; urgency: number };
      expect(row["output.topic"]).toBe(parsed.topic);
      expect(row["output.urgency"]).toBe(String(parsed.urgency));
      expect(row.parse_error).toBe("");
      expect(row.output_tokens).toBe("12");
      expect(Number(row.input_tokens)).toBeGreaterThan(0);
    }
    expect(rows[4]).toMatchObject({ error_code: "fake_failure_marker", output: "", "output.topic": "" });
    expect(String(rows[4]!.error_message)).toMatch(/failure marker/);
    expect(rows[2]).toMatchObject({ customer: "Cid", custom_id: "", error_code: "", output: "" });

    // The same job exported again later as JSONL, from the link recorded on the batch.
    const batchId = /(batch_\w+) created/.exec(r.out)![1]!;
    const jsonl = dir.path("again.jsonl");
    const e = await docket("export", batchId, "--url", t.docket.url, "--out", jsonl);
    expect(e.code).toBe(0);
    const lines = parseJsonl(readFileSync(jsonl, "utf8"));
    expect(lines.map((l) => l.custom_id)).toEqual(["t1", "t2", null, "t4", "t5", "t6"]);
    expect(lines[0]!["output.urgency"]).toBe(Number(rows[0]!["output.urgency"]));
    expect(lines[0]!.input_tokens).toBe(Number(rows[0]!.input_tokens));
    expect(lines[2]).toMatchObject({ status: "not_run", output: null });
  });

  it("refuses to submit a dataset with bad rows unless told to skip them", async () => {
    const dataset = dir.write("bad.csv", "id,customer,text\na,Ann,fine\nb,Bob\n");
    const before = t.fake.stats().requests;
    const r = await docket("run", dataset, "-t", schemaTemplate(), "--id-field", "id", "--url", t.docket.url);
    expect(r.code).toBe(4);
    expect(r.out).toMatch(/line 3 \(row 2\): \[unparseable_row\]/);
    expect(r.out).toMatch(/Nothing submitted: 1 rows have problems/);
    expect(t.fake.stats().requests).toBe(before);
  });

  it("--sample runs N rows spread over the file and sharpens the estimate with their output length", async () => {
    const before = t.fake.stats().requests;
    const out = dir.path("sample.csv");
    const r = await docket(
      "run",
      "examples/call-center/transcripts.csv",
      "-t",
      "examples/call-center/summarise.template.json",
      "--id-field",
      "call_id",
      "--sample",
      "5",
      "--prices",
      dir.write(
        "prices.json",
        JSON.stringify([{ model: "local-dummy", inputPerMTok: 1, outputPerMTok: 10 }]),
      ),
      "--url",
      t.docket.url,
      "--out",
      out,
    );
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(t.fake.stats().requests - before).toBe(5);
    expect(r.out).toMatch(/Sample: 5 of 50 rows/);
    const rows = await readExport(out);
    expect(rows.map((x) => x.call_id)).toEqual([
      "CALL-0001",
      "CALL-0011",
      "CALL-0021",
      "CALL-0031",
      "CALL-0041",
    ]);
    expect(rows.every((x) => x.status === "succeeded" && x.output_tokens === "12")).toBe(true);
    expect(r.out).toContain(`CALL-0011 [succeeded] ${String(rows[1]!.output).slice(0, 20)}`);
    expect(r.out).toMatch(/Measured: 12\.0 output tokens per request/);
    // Before: 50 × max_tokens (48) output tokens; after: 50 × the 12 measured.
    expect(r.out).toMatch(/output tokens 2,400 \(max_tokens per request\)/);
    expect(r.out).toMatch(/output tokens 600 \(observed average 12\.0\)/);
    expect(r.out).toMatch(/Run them all/);
  });
});

describe("budget guard", () => {
  const dir = tempDir();
  let t: TestDocket;

  beforeAll(async () => {
    // One request at a time, 25 ms each: the job cannot finish before maintenance looks.
    t = await startTestDocket({
      fake: { outputTokens: 16, latencyMs: 25 },
      route: { models: ["*"], concurrency: 1 },
    });
  });
  afterAll(async () => {
    await t.close();
    dir.remove();
  });

  it("stops a job once its real cost reaches the budget, and says so", async () => {
    const template = dir.write(
      "t.json",
      JSON.stringify({ model: "local-dummy", user: "Say something about {{n}}.", max_tokens: 50 }),
    );
    const rows = Array.from({ length: 40 }, (_, i) => `${i}`).join("\n");
    const dataset = dir.write("numbers.csv", `n\n${rows}\n`);
    // $100 per million output tokens, input free: each request costs exactly 16 × $0.0001.
    const prices = dir.write(
      "p.json",
      JSON.stringify([{ model: "local-dummy", inputPerMTok: 0, outputPerMTok: 100 }]),
    );
    const out = dir.path("numbers.results.csv");
    const r = await docket(
      "run",
      dataset,
      "-t",
      template,
      "--budget",
      "0.005",
      "--prices",
      prices,
      "--url",
      t.docket.url,
      "--wait",
      "--out",
      out,
    );
    expect(r.code).toBe(3);
    const id = /(batch_\w+) created/.exec(r.out)![1]!;
    const batch = await pollBatch(t.openai, id, ["cancelled"]);
    const done = batch.request_counts!.completed;
    // 3 requests cost $0.0048 (< budget), 4 cost $0.0064: at least 4 ran, and far from all.
    expect(done).toBeGreaterThanOrEqual(4);
    expect(done).toBeLessThan(40);
    expect(batch.usage?.output_tokens).toBe(done * 16);
    expect(batch.errors?.data?.[0]?.code).toBe("budget_exceeded");
    expect(batch.errors?.data?.[0]?.message).toMatch(
      new RegExp(
        `^Spent \\$0\\.\\d{4} of the \\$0\\.0050 budget after \\d+ records; ${40 - done} records were not run\\.$`,
      ),
    );
    const exported = await readExport(out);
    expect(exported).toHaveLength(40);
    const statuses = exported.map((x) => x.status);
    expect(statuses.filter((s) => s === "succeeded")).toHaveLength(done);
    const stopped = exported.filter((x) => x.status === "cancelled");
    expect(stopped).toHaveLength(40 - done);
    expect(stopped.every((x) => x.error_code === "budget_exceeded")).toBe(true);
    // Input order holds: what ran is a prefix (one request at a time, in order).
    expect(statuses.slice(0, done).every((s) => s === "succeeded")).toBe(true);
  });

  it("rejects a budget that is not a positive amount", async () => {
    const file = await t.openai.files.create({
      file: new File(
        [
          '{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"x"}]}}\n',
        ],
        "in.jsonl",
      ),
      purpose: "batch",
    });
    const create = (extra: Record<string, unknown>) =>
      fetch(`${t.docket.url}/v1/batches`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          input_file_id: file.id,
          endpoint: "/v1/chat/completions",
          completion_window: "24h",
          ...extra,
        }),
      });
    const bad = await create({ docket_budget_usd: -1 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe("docket_budget_usd");
    const badPrice = await create({ docket_budget_usd: 1, docket_price: { input_per_mtok: "x" } });
    expect(badPrice.status).toBe(400);
  });

  it("refuses a budget whose model has no known price rather than spend without a limit", async () => {
    const file = await t.openai.files.create({
      file: new File(
        Array.from(
          { length: 30 },
          (_, i) =>
            `${JSON.stringify({ custom_id: `r${i}`, method: "POST", url: "/v1/chat/completions", body: { model: "my-own-llm", messages: [{ role: "user", content: `q${i}` }] } })}\n`,
        ),
        "in.jsonl",
      ),
      purpose: "batch",
    });
    const before = t.fake.stats().requests;
    const listed = (await t.openai.batches.list()).data.length;
    // The extension field goes through the official SDK unchanged, as docs/data-preparation.md says.
    const create = (extra: Record<string, unknown>) =>
      t.openai.batches.create({
        input_file_id: file.id,
        endpoint: "/v1/chat/completions",
        completion_window: "24h",
        docket_budget_usd: 1,
        ...extra,
      } as never);
    const refused = await create({}).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    const err = refused as InstanceType<typeof OpenAI.BadRequestError>;
    expect(err.code).toBe("budget_price_unknown");
    expect(err.param).toBe("docket_budget_usd");
    expect(err.message).toMatch(/no price is known for the model 'my-own-llm'/);
    // Refused means nothing was created and nothing was sent.
    expect((await t.openai.batches.list()).data).toHaveLength(listed);
    // With a price given, the same file is accepted and runs.
    const priced = await create({ docket_price: { input_per_mtok: 1, output_per_mtok: 2 } });
    const done = await pollBatch(t.openai, priced.id, ["completed", "cancelled"]);
    expect(done.status).toBe("completed");
    expect(t.fake.stats().requests - before).toBe(30);
  });

  it("docket run --budget refuses the same way, naming the model, and submits nothing", async () => {
    const template = dir.write(
      "own.json",
      JSON.stringify({ model: "my-own-llm", user: "Say something about {{n}}.", max_tokens: 50 }),
    );
    const dataset = dir.write("own.csv", "n\n1\n2\n3\n");
    const listed = (await t.openai.batches.list()).data.length;
    const r = await docket("run", dataset, "-t", template, "--budget", "0.01", "--url", t.docket.url);
    expect(r.code).not.toBe(0);
    expect(`${r.out}\n${r.err}`).toMatch(/no price is known for the model 'my-own-llm'/);
    expect((await t.openai.batches.list()).data).toHaveLength(listed);
  });
});
