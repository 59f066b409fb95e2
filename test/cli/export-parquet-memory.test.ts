import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkExport, EXPECTED_COLUMNS } from "./export-parquet-check.js";
import { docketInChild, type FinishedJob, finishedJob } from "./export-parquet-job.js";

/** Rows here: enough for several row groups; the million-row figure is the bench's (export-parquet). */
const ROWS = 10_000;

/**
 * `docket export --format parquet` as a user runs it: the built CLI in a child process, no node
 * flags, its peak RSS read from /proc, the file read back by DuckDB and checked row by row.
 */
describe("docket export --format parquet (CLI process)", () => {
  let job: FinishedJob;

  beforeAll(async () => {
    job = await finishedJob(ROWS, { timeoutMs: 150_000 });
  }, 180_000);
  afterAll(async () => {
    await job?.close();
  });

  it("streams the rows in row groups within 200 MB, typed and in input order", async () => {
    const out = join(job.dir, "tickets.parquet");
    const run = await docketInChild(["export", job.batchId, "--url", job.url, "--out", out], 120_000);
    expect(run.output).toMatch(new RegExp(`${ROWS} rows: ${ROWS} succeeded; wrote .*tickets\\.parquet`));
    expect(run.code).toBe(0);
    console.log(`docket export --format parquet, ${ROWS} rows: peak RSS ${run.peakRssMb.toFixed(0)} MB`);
    expect(run.peakRssMb).toBeGreaterThan(0);
    expect(run.peakRssMb).toBeLessThan(200);

    const check = await checkExport(out, ROWS);
    expect(check.columns).toEqual(EXPECTED_COLUMNS);
    expect(check.rows).toBe(ROWS);
    expect(check.wrongRows).toBe(0);
    expect(check.wrongSpots).toEqual([]);
    // Written as row groups filled, not as one block at the end.
    expect(check.rowGroups).toBeGreaterThan(1);
  }, 150_000);
});
