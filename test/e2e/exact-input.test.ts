import { createReadStream, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { DocketConfig } from "../../src/config/config.js";
import { describePostgres, dropSchema, freshSchemaName } from "../store/pg-test-db.js";
import { pollBatch, startTestDocket, type TestDocket } from "../support/test-docket.js";

/**
 * Issue 17 through the official openai SDK against a real embedded docket: the backend gets
 * each body exactly as written, output lines echo each custom_id exactly as written, and no
 * input (bad bytes, deep nesting, huge ids, a missing blob) leaves a batch stuck in validating.
 */

const line = (customIdLiteral: string, body: string) =>
  `{"custom_id":${customIdLiteral},"method":"POST","url":"/v1/chat/completions","body":${body}}`;

/** Bodies whose bytes a parse/stringify round trip would change. */
const TRICKY_BODIES = [
  '{"model":"fake-model","seed":12345678901234567891,"messages":[{"role":"user","content":"a"}]}',
  '{"model":"fake-model","temperature":1.0,"top_p":1e999,"messages":[{"role":"user","content":"b"}]}',
  '{ "model" : "fake-model",\t"messages":[{"role":"user","content":"caf\\u00e9 \\ud83d\\ude00 é"}] }',
  '{"model":"fake-model","messages":[{"role":"user","content":"c"}],"metadata":{"x":-0.0e+0}}',
];
/** custom_id literals that must come back byte for byte (and never collapse into one). */
const TRICKY_IDS = ['"\\ud800"', '"\\ud801"', '"\\u00e9"', '"ü"', `"${"i".repeat(512)}"`, '"a\\/b"'];

async function uploadBytes(t: TestDocket, bytes: Buffer | string, name = `in-${Date.now()}.jsonl`) {
  const path = join(t.dataDir, name);
  writeFileSync(path, bytes);
  const file = await t.openai.files.create({ file: createReadStream(path), purpose: "batch" });
  return file.id;
}

async function submitBytes(t: TestDocket, bytes: Buffer | string) {
  const inputFileId = await uploadBytes(t, bytes);
  return t.openai.batches.create({
    input_file_id: inputFileId,
    endpoint: "/v1/chat/completions",
    completion_window: "24h",
  });
}

async function runsByteForByte(t: TestDocket): Promise<void> {
  const lines = TRICKY_IDS.map((id, i) => line(id, TRICKY_BODIES[i % TRICKY_BODIES.length]!));
  // A BOM first, CRLF line ends: both accepted, neither reaches a body.
  const created = await submitBytes(t, `\uFEFF${lines.join("\r\n")}\r\n`);
  const done = await pollBatch(t.openai, created.id, ["completed", "failed"], 30_000);
  expect(done.errors ?? null).toBeNull();
  expect(done.status).toBe("completed");
  const received = (t.fake.stats().bodies ?? []).map((b) => b.request).sort();
  expect(received).toEqual(lines.map((_, i) => TRICKY_BODIES[i % TRICKY_BODIES.length]!).sort());
  const output = await (await t.openai.files.content(done.output_file_id!)).text();
  const ids = output
    .trim()
    .split("\n")
    .map((l) => /^\{"id":"[^"]+","custom_id":("(?:[^"\\]|\\.)*")/.exec(l)![1]);
  expect(ids).toEqual(TRICKY_IDS);
  expect((await t.docket.store.getJob(created.id))?.model).toBe("fake-model");
}

describe("exact input and validation that never wedges (SQLite)", () => {
  let t: TestDocket;
  afterEach(async () => t?.close());

  const start = (tune?: (c: DocketConfig) => void) => startTestDocket({ fake: { recordBodies: true }, tune });

  it("sends every body byte for byte and echoes every custom_id as written, BOM and CRLF accepted", async () => {
    t = await start();
    await runsByteForByte(t);
  });

  it("names the line and byte offset of invalid UTF-8, and fails the batch", async () => {
    t = await start();
    const good = line('"a"', TRICKY_BODIES[0]!);
    const before = line('"b"', '{"model":"fake-model","messages":"ab');
    const bad = Buffer.concat([Buffer.from(`${good}\n${before}`), Buffer.from([0xff]), Buffer.from('"}\n')]);
    const created = await submitBytes(t, bad);
    const done = await pollBatch(t.openai, created.id, ["failed", "in_progress", "completed"], 30_000);
    expect(done.status).toBe("failed");
    const [e] = done.errors!.data!;
    expect(e).toMatchObject({ code: "invalid_utf8", line: 2 });
    const offset = Buffer.byteLength(before);
    expect(e!.message).toContain(
      `at byte offset ${offset} of the line (offset ${Buffer.byteLength(good) + 1 + offset} in the file)`,
    );
    expect(t.fake.stats().requests).toBe(0);
  });

  it("fails a 6,000-deep line as a line error at once, not after the completion window", async () => {
    t = await start();
    const deep = `{"model":"fake-model","x":${"[".repeat(6000)}${"]".repeat(6000)}}`;
    const created = await submitBytes(t, `${line('"ok"', TRICKY_BODIES[0]!)}\n${line('"deep"', deep)}\n`);
    const done = await pollBatch(t.openai, created.id, ["failed", "in_progress", "completed"], 15_000);
    expect(done.status).toBe("failed");
    expect(done.errors!.data![0]).toMatchObject({ code: "nesting_too_deep", line: 2 });
  });

  it("rejects stream: true with its line, and lets stream: false run", async () => {
    t = await start();
    const body = (stream: boolean) => `{"model":"fake-model","stream":${stream},"messages":[]}`;
    const created = await submitBytes(t, `${line('"a"', body(false))}\n${line('"b"', body(true))}\n`);
    const done = await pollBatch(t.openai, created.id, ["failed", "in_progress", "completed"], 15_000);
    expect(done.status).toBe("failed");
    expect(done.errors!.data).toEqual([
      expect.objectContaining({ code: "unsupported_parameter", param: "body.stream", line: 2 }),
    ]);
  });

  it("keeps a failed batch small: 1 MB custom_ids elided, at most 100 errors plus a summary", async () => {
    t = await start();
    const huge = "x".repeat(1024 * 1024);
    const lines = [
      ...Array.from({ length: 5 }, () => line(`"${huge}"`, TRICKY_BODIES[0]!)),
      ...Array.from({ length: 200 }, (_, i) => `{"custom_id":"broken-${i}"`),
    ];
    const created = await submitBytes(t, `${lines.join("\n")}\n`);
    const done = await pollBatch(t.openai, created.id, ["failed", "in_progress", "completed"], 30_000);
    expect(done.status).toBe("failed");
    const data = done.errors!.data!;
    expect(data).toHaveLength(101);
    expect(data.slice(0, 5).every((e) => e.code === "custom_id_too_long")).toBe(true);
    expect(data[100]).toMatchObject({ code: "too_many_errors", line: null });
    expect(data[100]!.message).toContain("205 problems");
    expect(data[100]!.message).toContain("invalid_json 200");
    expect(data[100]!.message).toContain("custom_id_too_long 5");
    for (const e of data) {
      expect(Buffer.byteLength(e.message!)).toBeLessThanOrEqual(1024);
      expect(e.message!.match(/Line \d+:/g)?.length ?? 0).toBeLessThanOrEqual(1);
    }
    const listed = JSON.stringify(await t.openai.batches.list());
    expect(listed.length).toBeLessThan(200_000);
  });

  it("applies the same line rules to small files and files over 1 MB: CRLF ends a line, a lone CR does not", async () => {
    t = await start();
    const pad = "p".repeat(60_000);
    const good = (i: number, big: boolean) =>
      line(`"r${i}"`, `{"model":"fake-model","messages":[],"pad":"${big ? pad : ""}"}`);
    for (const big of [false, true]) {
      const n = big ? 20 : 3;
      const ok = Array.from({ length: n }, (_, i) => good(i, big)).join("\r\n");
      if (big) expect(Buffer.byteLength(ok)).toBeGreaterThan(1024 * 1024);
      const fine = await submitBytes(t, `${ok}\r\n`);
      expect(
        (await pollBatch(t.openai, fine.id, ["failed", "in_progress", "completed"], 30_000)).status,
      ).not.toBe("failed");
      // Two requests joined by a lone CR are one line, and not valid JSON.
      const joined = `${ok}\r\n${good(100, big)}\r${good(101, big)}\r\n`;
      const bad = await submitBytes(t, joined);
      const done = await pollBatch(t.openai, bad.id, ["failed", "in_progress", "completed"], 30_000);
      expect(done.status).toBe("failed");
      expect(done.errors!.data).toEqual([expect.objectContaining({ code: "invalid_json", line: n + 1 })]);
    }
  });

  it("ends a batch whose input cannot be read after a few attempts, with validation_failed", async () => {
    t = await start();
    const inputFileId = await uploadBytes(t, `${line('"a"', TRICKY_BODIES[0]!)}\n`);
    // The blob disappears from under the file row (a broken disk or bucket).
    for (const f of listFiles(join(t.dataDir, "blobs"))) rmSync(f);
    const created = await t.openai.batches.create({
      input_file_id: inputFileId,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
    });
    const done = await pollBatch(t.openai, created.id, ["failed", "in_progress", "completed"], 30_000);
    expect(done.status).toBe("failed");
    expect(done.errors!.data![0]).toMatchObject({ code: "validation_failed" });
    expect(done.errors!.data![0]!.message).toContain("failed 3 times");
    expect((await t.docket.store.getJob(created.id))?.validationAttempts).toBe(3);
  });
});

describePostgres("exact input on PostgreSQL", (url) => {
  let t: TestDocket | undefined;
  let schema = "";
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await dropSchema(url, schema);
  });

  const start = () => {
    schema = freshSchemaName();
    return startTestDocket({
      fake: { recordBodies: true },
      tune: (c) => {
        c.databaseUrl = url;
        c.databaseSchema = schema;
        c.databasePoolSize = 4;
      },
    });
  };

  it("sends bodies and echoes custom_ids byte for byte", async () => {
    t = await start();
    expect(t.docket.store.engine).toBe("postgres");
    await runsByteForByte(t);
  }, 60_000);

  it("refuses a NUL in a custom_id as a line error instead of wedging validation", async () => {
    t = await start();
    const created = await submitBytes(
      t,
      `${line('"ok"', TRICKY_BODIES[0]!)}\n${line('"nul\\u0000id"', TRICKY_BODIES[0]!)}\n`,
    );
    const done = await pollBatch(t.openai, created.id, ["failed", "in_progress", "completed"], 15_000);
    expect(done.status).toBe("failed");
    expect(done.errors!.data).toEqual([expect.objectContaining({ code: "invalid_custom_id", line: 2 })]);
  }, 60_000);
});

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? listFiles(p) : [p];
  });
}
