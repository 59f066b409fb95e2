import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestDocket, type TestDocket } from "../support/test-docket.js";
import { type BadFile, regularBadFile, specialBadFiles } from "./bad-files.js";
import { type BatchOutcome, driveBatches, withBound } from "./batch-driver.js";
import { checkBadFile, INV } from "./check-bad-file.js";
import { Findings } from "./findings.js";
import { caseFilter, fuzzSeed } from "./fuzz-seed.js";

/**
 * Issue 17's seeded fuzz suite, part 1: over 1,000 generated bad input files (invalid UTF-8,
 * NULs, deep nesting, huge and truncated lines, prototype keys, duplicate and huge custom_ids,
 * wrong method/url/model, stream:true, BOM/CR/CRLF mixes, gzip bytes, empty files), each with
 * good lines mixed in, uploaded with the official SDK against a real embedded Docket. Each file
 * must fail its batch promptly with every problem named on its line, nothing sent to the model.
 */
const TEST_FILE = "test/fuzz/bad-files.test.ts";
const REGULAR_FILES = 1_000;
const HANG_BOUND_MS = 45_000;
const seed = fuzzSeed();
const filter = caseFilter();
const findings = new Findings(seed, TEST_FILE);

let t: TestDocket;
let files: BadFile[] = [];
let outcomes = new Map<string, BatchOutcome>();
let sentFromBadFiles: string[] = [];
let alive: { health: number; list: number; listBytes: number } | { error: string };

/** On tmpfs where there is one: 1,000 uploads are 2,000 fsyncs, and durability is not under test. */
const shmDir = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "docket-fuzz-"));

beforeAll(async () => {
  const started = Date.now();
  // NORMAL: no fsync per commit; this suite is about what validation says, not power-loss durability.
  t = await startTestDocket({
    fake: { recordBodies: true, latencyMs: 0 },
    tune: (c) => {
      c.worker.sqliteSynchronous = "NORMAL";
      c.dataDir = shmDir;
    },
  });
  files = [
    ...Array.from({ length: REGULAR_FILES }, (_, i) => regularBadFile(seed, i)),
    ...specialBadFiles(seed),
  ];
  if (filter) files = files.filter((f) => filter(f.caseId));
  const bytes = files.reduce((n, f) => n + f.bytes.length, 0);
  console.log(
    `fuzz seed ${seed} (DOCKET_FUZZ_SEED): ${files.length} bad files, ${(bytes / 1e6).toFixed(1)} MB`,
  );

  outcomes = await driveBatches(t.openai, files, {
    concurrency: 8,
    hangBoundMs: HANG_BOUND_MS,
    requestBoundMs: 30_000,
  });
  for (const file of files) checkBadFile(file, outcomes.get(file.caseId), findings);
  // Replaying one case: show what was sent and what came back.
  if (filter) for (const file of files) console.log(describeCase(file, outcomes.get(file.caseId)));

  // Good lines of a failed batch must never reach the model.
  sentFromBadFiles = (t.fake.stats().bodies ?? [])
    .map((b) => b.request)
    .filter((body) => body.includes("FZB:"))
    .map((b) => b.slice(0, 200));

  // Still serving, and listing every batch (with all those error lists) answers, bounded.
  try {
    const health = await withBound(fetch(`${t.docket.url}/health`), 10_000, "GET /health did not answer");
    const list = await withBound(
      fetch(`${t.docket.url}/v1/batches?limit=100`, { headers: { authorization: "Bearer test" } }),
      20_000,
      "GET /v1/batches did not answer",
    );
    alive = { health: health.status, list: list.status, listBytes: (await list.arrayBuffer()).byteLength };
  } catch (err) {
    alive = { error: (err as Error).message };
  }
  const listed =
    "listBytes" in alive ? `; GET /v1/batches?limit=100 is ${(alive.listBytes / 1024).toFixed(0)} KB` : "";
  console.log(`fuzz bad files: ${timeline(started, [...outcomes.values()])}${listed}; ${findings.summary()}`);
}, 150_000);

function timeline(started: number, all: BatchOutcome[]): string {
  const at = (xs: Array<number | undefined>) =>
    ((Math.max(0, ...xs.map((x) => x ?? 0)) - started) / 1000).toFixed(1);
  const ms = all.map((o) => o.ms ?? 0).sort((a, b) => a - b);
  return `${((Date.now() - started) / 1000).toFixed(1)} s in all; last batch created at ${at(all.map((o) => o.createdAt))} s, last terminal at ${at(all.map((o) => o.endedAt))} s; creation→terminal p50 ${ms[ms.length >> 1]} ms, max ${ms[ms.length - 1]} ms`;
}

function describeCase(file: BadFile, o: BatchOutcome | undefined): string {
  const shown =
    file.bytes.length > 2000
      ? `${file.bytes.subarray(0, 2000).toString("latin1")}…`
      : file.bytes.toString("latin1");
  return [
    `case ${file.caseId}: ${file.bytes.length} bytes; bad ${JSON.stringify(file.bad.map((b) => ({ kind: b.kind, line: b.line, param: b.param, badBytes: b.badBytes })))}; good lines ${file.goodLines}`,
    `  input (latin1): ${JSON.stringify(shown)}`,
    `  outcome: ${JSON.stringify({ ...o, batch: o?.batch && { status: o.batch.status, errors: o.batch.errors?.data } })}`,
  ].join("\n");
}

afterAll(async () => {
  await t?.close();
  rmSync(shmDir, { recursive: true, force: true });
});

describe(`fuzz: bad input files (seed ${seed})`, () => {
  it("generates at least 1,000 bad files", () => {
    if (!filter) expect(files.length).toBeGreaterThanOrEqual(1_000);
  });

  it("0 crashes: the server still answers, and lists batches in bounded size", () => {
    expect(alive).toMatchObject({ health: 200, list: 200 });
    if ("listBytes" in alive) expect(alive.listBytes).toBeLessThan(5 * 1024 * 1024);
  });

  it(`0 hangs: every request answers and every batch is terminal within ${HANG_BOUND_MS / 1000} s`, () => {
    expect(findings.of(INV.hang).length, findings.report(INV.hang)).toBe(0);
  });

  it("every bad file fails its batch, and none of its lines reaches the backend", () => {
    expect(findings.of(INV.fails).length, findings.report(INV.fails)).toBe(0);
    expect(sentFromBadFiles, "bodies from failed batches reached the backend").toEqual([]);
  });

  it("every line error names its line", () => {
    expect(findings.of(INV.line).length, findings.report(INV.line)).toBe(0);
  });

  it("line errors carry the decided param / code / byte offset", () => {
    expect(findings.of(INV.detail).length, findings.report(INV.detail)).toBe(0);
  });

  it("no valid line is reported as bad", () => {
    expect(findings.of(INV.falsePositive).length, findings.report(INV.falsePositive)).toBe(0);
  });

  it("error lists are bounded (≤ ~100 entries + counts, messages ≤ 1 KB)", () => {
    expect(findings.of(INV.bounded).length, findings.report(INV.bounded)).toBe(0);
  });

  it("empty files fail with a file-level error", () => {
    expect(findings.of(INV.fileLevel).length, findings.report(INV.fileLevel)).toBe(0);
  });
});
