import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDummyModel } from "../../src/gguf/create-dummy-model.js";
import { tempDir } from "../prep/temp-files.js";
import { docket } from "../run/run-support.js";
import { dropSchema, freshSchemaName } from "../store/pg-test-db.js";
import { parseJsonl } from "../support/batch-files.js";
import { providerBatchRoute } from "../support/provider-batch-route.js";
import { runArgs } from "../support/run-args.js";
import { startTestDocket, type TestDocket } from "../support/test-docket.js";
import { readParquet } from "./export-parquet-duckdb.js";
import { expectSameAsJsonl } from "./export-parquet-expect.js";

const PG_URL = process.env.DOCKET_TEST_PG_URL;

/**
 * The export reads only the job's result lines, so a job offloaded to a provider's batch API
 * (openai-batch, here against a second Docket as the provider) and stored on PostgreSQL (when
 * DOCKET_TEST_PG_URL is set, else SQLite) exports to the same typed Parquet as any other.
 */
describe(`docket export --format parquet: an openai-batch route, on ${PG_URL ? "PostgreSQL" : "SQLite"}`, () => {
  const dir = tempDir();
  let provider: TestDocket;
  let t: TestDocket;
  const schema = PG_URL ? freshSchemaName() : null;

  beforeAll(async () => {
    provider = await startTestDocket({ route: { models: ["*"] } });
    t = await startTestDocket({
      tune: (c) => {
        if (PG_URL && schema) {
          c.databaseUrl = PG_URL;
          c.databaseSchema = schema;
          c.databasePoolSize = 4;
        }
        c.routes = [providerBatchRoute(provider, { name: "provider-batch", models: ["*"] })];
      },
    });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await provider?.close();
    if (PG_URL && schema) await dropSchema(PG_URL, schema);
    dir.remove();
  });

  it("exports the offloaded job's results, typed, as the JSONL export holds them", async () => {
    const template = dir.write(
      "t.json",
      JSON.stringify({
        model: "local-dummy",
        user: "{{customer}}: {{text}}",
        max_tokens: 30,
        response_format: {
          type: "json_schema",
          json_schema: {
            name: "x",
            schema: {
              type: "object",
              properties: { topic: { type: "string" }, urgency: { type: "integer" } },
            },
          },
        },
      }),
    );
    const dataset = dir.write("d.csv", "id,customer,text\nb1,Ann,one\nb2,Bob,two\nb3,Cid,three\n");
    const jsonl = dir.path("d.jsonl");
    const r = await docket(...runArgs(dataset, template, t.docket.url, "--wait", "--out", jsonl));
    expect(r.err).toBe("");
    expect(r.out).toMatch(/3 rows: 3 succeeded/);
    const batchId = /(batch_\w+) created/.exec(r.out)![1]!;
    // It ran at the provider, as a batch of its own.
    expect((await provider.openai.batches.list()).data.length).toBeGreaterThan(0);

    const out = dir.path("d.parquet");
    const e = await docket("export", batchId, "--url", t.docket.url, "--out", out);
    expect(e.code).toBe(0);
    const back = await readParquet(out);
    expect(back.columns.filter((c) => c.name.startsWith("output") || c.name.endsWith("tokens"))).toEqual([
      { name: "output", type: "VARCHAR" },
      { name: "input_tokens", type: "BIGINT" },
      { name: "output_tokens", type: "BIGINT" },
      { name: "output.topic", type: "VARCHAR" },
      { name: "output.urgency", type: "BIGINT" },
    ]);
    expect(back.rows.map((x) => [x.id, x.status])).toEqual([
      ["b1", "succeeded"],
      ["b2", "succeeded"],
      ["b3", "succeeded"],
    ]);
    expectSameAsJsonl(back, parseJsonl(readFileSync(jsonl, "utf8")));
  }, 90_000);
});

/** The same on the in-process llama.cpp engine (a dummy model of random weights). */
describe("docket export --format parquet: a llama.cpp route", () => {
  const dir = tempDir();
  let t: TestDocket;

  beforeAll(async () => {
    const model = join(dir.path("."), "tiny.gguf");
    await createDummyModel(model, { size: "tiny", seed: 5 });
    t = await startTestDocket({
      tune: (c) => {
        c.routes = [
          {
            name: "tiny",
            models: ["*"],
            backend: { type: "llamacpp", model, contexts: 2 },
            concurrency: 2,
            timeoutMs: 60_000,
            maxAttempts: 3,
          },
        ];
      },
    });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    dir.remove();
  });

  it("exports what the engine answered, typed, as the JSONL export holds it", async () => {
    const template = dir.write(
      "t.json",
      JSON.stringify({ model: "tiny", user: "{{customer}}: {{text}}", max_tokens: 12 }),
    );
    const dataset = dir.write("d.csv", "id,customer,text\nl1,Ann,one\nl2,Bob,two\n");
    const jsonl = dir.path("d.jsonl");
    const r = await docket(...runArgs(dataset, template, t.docket.url, "--wait", "--out", jsonl));
    expect(r.out).toMatch(/2 rows: 2 succeeded/);
    const batchId = /(batch_\w+) created/.exec(r.out)![1]!;
    const out = dir.path("d.parquet");
    expect((await docket("export", batchId, "--url", t.docket.url, "--out", out)).code).toBe(0);
    const back = await readParquet(out);
    expect(back.rows.map((x) => [x.id, x.status, typeof x.output, typeof x.output_tokens])).toEqual([
      ["l1", "succeeded", "string", "bigint"],
      ["l2", "succeeded", "string", "bigint"],
    ]);
    expectSameAsJsonl(back, parseJsonl(readFileSync(jsonl, "utf8")));
  }, 120_000);
});
