import { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { driveBatches, withBound } from "./batch-driver.js";
import { bodiesByMarker, checkGoodFile, GOOD_INV } from "./check-good-file.js";
import { API_KEY, type FuzzServer, isAlive, memoryOf, startFuzzServer } from "./child-server.js";
import { Findings } from "./findings.js";
import { caseRand, fuzzSeed } from "./fuzz-seed.js";
import type { GoodFile } from "./good-files.js";
import { type GoodLine, goodLine } from "./good-lines.js";

/**
 * Issue 17's seeded fuzz suite, part 4: one large line (48 MB) through a real `docket serve`
 * child. It must reach the backend byte for byte and its id come back unchanged, and the
 * server's peak RSS above idle must stay within 3× the line (issue 17's goal: ≤ 3× the longest
 * line, ≤ 400 MB for a 100 MB line), read from /proc/<pid>/status (VmHWM).
 */
const TEST_FILE = "test/fuzz/big-line-memory.test.ts";
// 48 MB, not less: about 50–75 MB of the peak is fixed whatever the line's size (V8's young
// generation growing at the upload, SQLite's 16 MB page cache; measured +57 MB for a 24 MB line
// and +64 MB for a 48 MB one on Node 20, +74–81 MB for both on Node 24), so a small line would
// test that constant, not the per-line cost the issue bounds (its own example is 100 MB).
const BIG_LINE_BYTES = 48 * 1024 * 1024;
const seed = fuzzSeed();
const findings = new Findings(seed, TEST_FILE);
let s: FuzzServer;
let idleRss = 0;
let peak = 0;
/** Peak after uploading the file alone: tells the upload's share from validation's and the worker's. */
let uploadPeak = 0;
let lineBytes = 0;

function file(caseId: string, fileNo: number, lines: number, padFirst: number): GoodFile {
  const r = caseRand(seed, "big-line", fileNo);
  const made: GoodLine[] = Array.from({ length: lines }, (_, i) =>
    goodLine(r, { prefix: "FZG", file: fileNo, line: i + 1 }, { padBytes: i === 0 ? padFirst : 0 }),
  );
  return {
    caseId,
    filename: `${caseId}.jsonl`,
    bytes: Buffer.from(`${made.map((l) => l.text).join("\n")}\n`),
    lines: made,
  };
}

async function download(id: string | null | undefined): Promise<Buffer | null> {
  if (!id) return null;
  const res = await withBound(
    fetch(`${s.url}/v1/files/${id}/content`, { headers: { authorization: `Bearer ${API_KEY}` } }),
    30_000,
    "download did not answer",
  );
  return Buffer.from(await res.arrayBuffer());
}

async function runChecked(f: GoodFile): Promise<void> {
  const outcomes = await driveBatches(s.openai, [f], {
    concurrency: 1,
    hangBoundMs: 90_000,
    requestBoundMs: 60_000,
  });
  const o = outcomes.get(f.caseId);
  const received = bodiesByMarker((s.fake.stats().bodies ?? []).map((b) => b.request));
  const outputs = {
    output: await download(o?.batch?.output_file_id),
    error: await download(o?.batch?.error_file_id),
  };
  checkGoodFile(f, o, received, outputs, findings);
}

beforeAll(async () => {
  const started = Date.now();
  s = await startFuzzServer();
  // Warm up (first batch, first backend connection), then take the idle footprint.
  await runChecked(file("m-warm", 9500, 5, 0));
  await new Promise((r) => setTimeout(r, 500));
  idleRss = memoryOf(s.pid).rss;
  const big = file("m-big-line", 9501, 3, BIG_LINE_BYTES);
  lineBytes = Buffer.byteLength(big.lines[0]!.text);
  await s.openai.files.create({ file: await toFile(big.bytes, "upload-only.jsonl"), purpose: "batch" });
  uploadPeak = memoryOf(s.pid).hwm;
  await runChecked(big);
  peak = memoryOf(s.pid).hwm;
  // The recorded bodies (48 MB each way) are this process's, not the server's: drop them.
  s.fake.resetStats();
  console.log(
    `fuzz big line: ${(lineBytes / 1024 ** 2).toFixed(1)} MB line in ${((Date.now() - started) / 1000).toFixed(1)} s; server idle RSS ${(idleRss / 1024 ** 2).toFixed(0)} MB, peak after upload ${(uploadPeak / 1024 ** 2).toFixed(0)} MB, after the batch ${(peak / 1024 ** 2).toFixed(0)} MB (+${((peak - idleRss) / 1024 ** 2).toFixed(0)} MB = ${((peak - idleRss) / lineBytes).toFixed(2)}× the line); ${findings.summary()}`,
  );
}, 150_000);

afterAll(async () => {
  await s?.close();
});

describe(`fuzz: one large line (seed ${seed})`, () => {
  it("completes, and reaches the backend byte for byte with its custom_id unchanged", () => {
    for (const inv of Object.values(GOOD_INV)) expect(findings.of(inv).length, findings.report(inv)).toBe(0);
  });

  it("the server's peak RSS above idle stays within 3× the longest line", () => {
    expect(isAlive(s)).toBe(true);
    const mb = (n: number) => `${(n / 1024 ** 2).toFixed(0)} MB`;
    expect(
      peak - idleRss,
      `peak ${mb(peak)} (${mb(uploadPeak)} after the upload alone) over idle ${mb(idleRss)}, line ${mb(lineBytes)}`,
    ).toBeLessThanOrEqual(3 * lineBytes);
  });
});
