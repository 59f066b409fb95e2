import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LocalDirBlobStore } from "../../src/blobs/local-dir-blob-store.js";
import { RouteTable } from "../../src/routing/route-table.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { parseBatchLine } from "../../src/validation/batch-line.js";
import { ValidationRunner } from "../../src/validation/validation-runner.js";
import { insertTestJob } from "../store-contract/fixtures.js";

const routes = new RouteTable([
  {
    name: "r",
    models: ["m*"],
    backend: { type: "openai", baseUrl: "http://127.0.0.1:9/v1" },
    concurrency: 1,
    timeoutMs: 1000,
    maxAttempts: 2,
  },
]);

/** The validation runner on a real SQLite store and a real blob directory. */
describe("ValidationRunner", () => {
  let dir: string;
  let store: Store;
  let blobs: LocalDirBlobStore;
  let validated = 0;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "docket-validation-"));
    store = openSqliteStore({ path: join(dir, "docket.db") });
    blobs = new LocalDirBlobStore(join(dir, "blobs"));
    validated = 0;
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const runner = (
    limits?: Partial<ConstructorParameters<typeof ValidationRunner>[0]["limits"]>,
    through: Store = store,
  ) =>
    new ValidationRunner({
      store: through,
      blobs,
      routes,
      owner: "me",
      leaseMs: 60_000,
      maxAttemptsFor: () => 2,
      onValidated: () => validated++,
      limits: limits
        ? {
            maxLineBytes: 1024,
            maxNestingDepth: 16,
            maxCustomIdBytes: 64,
            maxAttempts: 3,
            maxListedErrors: 5,
            ...limits,
          }
        : undefined,
    });

  async function fileJob(text: string | Buffer): Promise<string> {
    const { bytes } = await blobs.put("files/f1", Readable.from([Buffer.from(text)]));
    await store.insertFile({
      projectId: "default",
      id: "f1",
      filename: "in.jsonl",
      purpose: "batch",
      bytes,
      blobKey: "files/f1",
      createdAt: Date.now(),
      expiresAt: null,
    });
    return insertTestJob(store, { inputFileId: "f1", expiresAt: Date.now() + 86_400_000 });
  }

  const req = (id: string, body = '{"model":"m1","n":1.0}') =>
    `{"custom_id":"${id}","method":"POST","url":"/v1/chat/completions","body":${body}}`;

  it("queues good lines with their exact bodies and the first model as the batch's", async () => {
    const id = await fileJob(`${req("a")}\n\n   \n${req("b", '{"model":"m2"}')}\n`);
    await runner().drain();
    expect(validated).toBe(1);
    expect(await store.getJob(id)).toMatchObject({
      status: "in_progress",
      model: "m1",
      counts: { total: 2 },
    });
    const claimed = await store.claimRecords({
      owner: "w",
      routes: [{ route: "r", limit: 5 }],
      leaseMs: 1000,
      now: Date.now(),
    });
    expect(claimed.map((r) => r.body)).toEqual(['{"model":"m1","n":1.0}', '{"model":"m2"}']);
  });

  // Lines over 1 MiB are checked on their bytes and their bodies kept as bytes (no string copy).
  const big = (fill: string) => `"${fill.repeat(Math.ceil(1_600_000 / Buffer.byteLength(fill)))}"`;

  it("queues big lines read as bytes with their exact bodies, blank big lines skipped", async () => {
    const bodyA = `{"model":"m1","n":1.0,"s":"\\ud800","t":${big("aé😀中")}}`;
    const bodyB = `{ "model" : "m\\u0032", "x" : 12345678901234567891, "t" : ${big("x")} }`;
    const file = [req("a", bodyA), " ".repeat(1_500_000), `  \t${req("b\\u0041", bodyB)}`, req("c")].join(
      "\n",
    );
    const id = await fileJob(`${file}\n`);
    await runner().drain();
    expect(await store.getJob(id)).toMatchObject({
      status: "in_progress",
      model: "m1",
      counts: { total: 3 },
    });
    const claimed = await store.claimRecords({
      owner: "w",
      routes: [{ route: "r", limit: 5 }],
      leaseMs: 1000,
      now: Date.now(),
    });
    expect(claimed.map((r) => r.customId)).toEqual(["a", "bA", "c"]);
    const bodies: string[] = [];
    for (const r of claimed) {
      if (!r.bodyParts) {
        bodies.push(r.body);
        continue;
      }
      const parts: Buffer[] = [];
      for (let i = 0; i < r.bodyParts.count; i++)
        parts.push((await store.capabilities.largeBodies!.readBodyPart(r.id, i))!);
      bodies.push(Buffer.concat(parts).toString("utf8"));
    }
    expect(bodies).toEqual([bodyA, bodyB, '{"model":"m1","n":1.0}']);
  });

  it("reports bad big lines exactly as it reports the same lines when small", async () => {
    const lines = [
      req("a", `{"model":"m1","t":${big("é")}`), // not valid JSON (cut short)
      req("b", `{"model":"m1","t":${big("x")}, "d":${"[".repeat(40)}${"]".repeat(40)}}`), // too deep
      req("c", `{"model":"m1","t":${big("x")}}`), // good
      req("c", `{"model":"m1","t":${big("x")}}`), // repeated id
      req("d", `{"model":"nope","t":${big("x")}}`), // no route
      `{"custom_id":"e","method":"GET","url":"/v1/chat/completions","body":{"model":"m1","t":${big("x")}}}`,
      `[${big("x")}]`,
    ];
    const id = await fileJob(`${lines.join("\n")}\n`);
    await runner({
      maxLineBytes: 8_000_000,
      maxCustomIdBytes: 64,
      maxNestingDepth: 16,
      maxListedErrors: 10,
    }).drain();
    const errors = (await store.getJob(id))?.errors ?? [];
    const seen = new Set<string>();
    const expected = lines.flatMap((text, i) => {
      const r = parseBatchLine(text, i + 1, i, "/v1/chat/completions", routes, seen, {
        maxNestingDepth: 16,
        maxCustomIdBytes: 64,
      });
      return "code" in r ? [r] : [];
    });
    expect(expected.map((e) => e.code)).toEqual([
      "invalid_json",
      "nesting_too_deep",
      "duplicate_custom_id",
      "model_not_found",
      "invalid_method",
      "invalid_request",
    ]);
    expect(errors).toEqual(expected);
  });

  it("fails a batch whose validation never finished, once attempts are used up", async () => {
    const id = await fileJob(`${req("a")}\n`);
    // Three earlier holders claimed it and died (their leases long gone).
    const longAgo = Date.now() - 60_000;
    for (let i = 0; i < 3; i++) {
      expect(await store.claimValidation(`dead-${i}`, 1, longAgo + i * 10)).toMatchObject({
        validationAttempts: i + 1,
      });
    }
    await runner().drain();
    const job = await store.getJob(id);
    expect(job?.status).toBe("failed");
    expect(job?.errors).toEqual([
      expect.objectContaining({ code: "validation_failed", line: null, param: "input_file_id" }),
    ]);
    expect(job?.errors?.[0]?.message).toContain("started 3 times and never finished");
  });

  /** A holder that claims, stores records up to `progress` (as a chunk's flush does) and dies. */
  async function deadHolder(id: string, name: string, at: number, progress: number) {
    const job = await store.claimValidation(name, 1, at);
    expect(job?.id).toBe(id);
    if (progress > 0) expect(await store.renewValidation(id, name, at + 1, progress)).toBe(true);
  }

  it("marks its progress after each stored chunk: the same positions at every attempt", async () => {
    const lines = Array.from({ length: 4500 }, (_, i) => req(`id-${i}`));
    const id = await fileJob(`${lines.join("\n")}\n`);
    const marks: Array<number | undefined> = [];
    const watched: Store = Object.create(store);
    watched.renewValidation = (jobId, owner, leaseUntil, progress) => {
      marks.push(progress);
      return store.renewValidation(jobId, owner, leaseUntil, progress);
    };
    await runner(undefined, watched).drain();
    expect(marks).toEqual([2000, 4000]);
    expect(await store.getJob(id)).toMatchObject({ status: "in_progress", counts: { total: 4500 } });
  });

  it("validates a file whose earlier holders were killed while getting further each time", async () => {
    const id = await fileJob(`${req("a")}\n${req("b")}\n`);
    const longAgo = Date.now() - 60_000;
    // More deaths than maxAttempts, each after more records than the one before (a crash loop).
    for (let i = 0; i < 6; i++) await deadHolder(id, `killed-${i}`, longAgo + i * 10, (i + 1) * 2000);
    await runner().drain();
    expect(await store.getJob(id)).toMatchObject({ status: "in_progress", counts: { total: 2 } });
    expect(validated).toBe(1);
  });

  it("fails a batch whose holders keep dying at the same place, once attempts are used up", async () => {
    const id = await fileJob(`${req("a")}\n`);
    const longAgo = Date.now() - 60_000;
    // The first got 2,000 records in; the next ones died there again (a line that kills its validator).
    for (let i = 0; i < 4; i++) await deadHolder(id, `dead-${i}`, longAgo + i * 10, 2000);
    expect((await store.getJob(id))?.validationAttempts).toBe(3);
    await runner().drain();
    const job = await store.getJob(id);
    expect(job?.status).toBe("failed");
    expect(job?.errors?.[0]).toMatchObject({ code: "validation_failed", param: "input_file_id" });
    expect(job?.errors?.[0]?.message).toContain("started 4 times and never finished");
  });

  it("bounds claims even when every attempt got further", async () => {
    const id = await fileJob(`${req("a")}\n`);
    const longAgo = Date.now() - 60_000;
    // maxAttempts 3 allows 30 claims in all: 30 holders died, the 31st claim gives up.
    for (let i = 0; i < 30; i++) await deadHolder(id, `killed-${i}`, longAgo + i * 10, (i + 1) * 2000);
    expect((await store.getJob(id))?.validationAttempts).toBe(1);
    await runner().drain();
    const job = await store.getJob(id);
    expect(job?.status).toBe("failed");
    expect(job?.errors?.[0]?.message).toContain("started 30 times and never finished");
  });

  it("bounds the listed problems and counts them per code", async () => {
    const lines = [
      ...Array.from({ length: 7 }, (_, i) => `{"custom_id":"x${i}"`),
      req("y".repeat(100)),
      req("ok", `{"model":"m1","deep":${"[".repeat(20)}${"]".repeat(20)}}`),
      "z".repeat(2000),
    ];
    const id = await fileJob(`${lines.join("\n")}\n`);
    await runner({}).drain();
    const errors = (await store.getJob(id))?.errors ?? [];
    expect(errors.map((e) => e.code)).toEqual([...Array(5).fill("invalid_json"), "too_many_errors"]);
    expect(errors[5]?.message).toBe(
      "10 problems in the file; the first 5 are listed. By code: invalid_json 7, custom_id_too_long 1, nesting_too_deep 1, line_too_long 1.",
    );
  });
});
