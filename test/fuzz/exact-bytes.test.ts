import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestDocket, type TestDocket } from "../support/test-docket.js";
import { type BatchOutcome, driveBatches, withBound } from "./batch-driver.js";
import { bodiesByMarker, checkGoodFile, GOOD_INV } from "./check-good-file.js";
import { Findings } from "./findings.js";
import { caseFilter, fuzzSeed } from "./fuzz-seed.js";
import { type GoodFile, goodFiles } from "./good-files.js";

/**
 * Issue 17's seeded fuzz suite, part 2: bytes in = bytes out. Valid files full of text that
 * changes when parsed and re-serialised (numbers beyond double precision, 1.0, 1e999, -0,
 * prototype keys, lone-surrogate escapes, escaped NUL, raw UTF-8, CR as JSON whitespace,
 * BOM/CRLF framing, files over 1 MB) must reach the backend as the exact raw text of each
 * line's `body`, and every output/error line must echo its `custom_id` literal unchanged.
 */
const TEST_FILE = "test/fuzz/exact-bytes.test.ts";
const GOOD_FILES = 80;
const seed = fuzzSeed();
const filter = caseFilter();
const findings = new Findings(seed, TEST_FILE);

let t: TestDocket;
let files: GoodFile[] = [];
let outcomes = new Map<string, BatchOutcome>();

async function download(id: string | null | undefined): Promise<Buffer | null> {
  if (!id) return null;
  const res = await withBound(
    fetch(`${t.docket.url}/v1/files/${id}/content`, { headers: { authorization: "Bearer test" } }),
    20_000,
    `GET /v1/files/${id}/content did not answer`,
  );
  if (res.status !== 200) throw new Error(`GET /v1/files/${id}/content answered ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

beforeAll(async () => {
  const started = Date.now();
  t = await startTestDocket({
    fake: { recordBodies: true, latencyMs: 0 },
    tune: (c) => {
      c.worker.sqliteSynchronous = "NORMAL";
    },
  });
  files = goodFiles(seed, GOOD_FILES);
  if (filter) files = files.filter((f) => filter(f.caseId));
  const lines = files.reduce((n, f) => n + f.lines.length, 0);
  console.log(`fuzz seed ${seed} (DOCKET_FUZZ_SEED): ${files.length} valid files, ${lines} lines`);
  outcomes = await driveBatches(t.openai, files, {
    concurrency: 6,
    hangBoundMs: 45_000,
    requestBoundMs: 30_000,
  });
  const received = bodiesByMarker((t.fake.stats().bodies ?? []).map((b) => b.request));
  for (const file of files) {
    const o = outcomes.get(file.caseId);
    let outputs = { output: null as Buffer | null, error: null as Buffer | null };
    try {
      outputs = {
        output: await download(o?.batch?.output_file_id),
        error: await download(o?.batch?.error_file_id),
      };
    } catch (err) {
      findings.add(GOOD_INV.ids, "B http", file.caseId, (err as Error).message);
    }
    checkGoodFile(file, o, received, outputs, findings);
  }
  console.log(`fuzz exact bytes: ${((Date.now() - started) / 1000).toFixed(1)} s; ${findings.summary()}`);
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe(`fuzz: bytes in = bytes out (seed ${seed})`, () => {
  it("0 hangs: every valid batch is terminal within 45 s", () => {
    expect(findings.of(GOOD_INV.hang).length, findings.report(GOOD_INV.hang)).toBe(0);
  });

  it("valid files (BOM, CRLF, CR as whitespace, over 1 MB) complete with every record", () => {
    expect(findings.of(GOOD_INV.completes).length, findings.report(GOOD_INV.completes)).toBe(0);
  });

  it("the backend receives each body byte-identical to the line's raw body text", () => {
    expect(findings.of(GOOD_INV.bodies).length, findings.report(GOOD_INV.bodies)).toBe(0);
  });

  it("output and error lines echo each custom_id literal byte for byte", () => {
    expect(findings.of(GOOD_INV.ids).length, findings.report(GOOD_INV.ids)).toBe(0);
  });
});
