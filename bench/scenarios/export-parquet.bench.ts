import { loadavg } from "node:os";
import { join } from "node:path";
import { checkExport, EXPECTED_COLUMNS } from "../../test/cli/export-parquet-check.js";
import { docketInChild, finishedJob } from "../../test/cli/export-parquet-job.js";
import { bench } from "../support/bench-docket.js";
import { goal } from "../support/goal.js";

export interface ExportParquetOptions {
  /** Rows of the job; default 1,000,000 (DOCKET_BENCH_EXPORT_ROWS overrides). */
  rows?: number;
  /** Also export the same job as CSV, for the peak RSS of the text path beside Parquet's. */
  withCsv?: boolean;
}

const GOALS = { peakRssMb: 200 };

/**
 * `docket export --format parquet` (issue 14): a finished job of a million records with a
 * JSON-schema answer (made by a real embedded Docket in front of the fake backend), exported by
 * the built CLI in a child process with no node flags; its peak RSS (VmHWM) against 200 MB, its
 * time and CPU, and the file read back by DuckDB: row count, column types, every row's typed
 * fields against its answer's JSON, and spot rows against the dataset.
 */
export async function benchExportParquet(o: ExportParquetOptions = {}): Promise<void> {
  const rows = o.rows ?? Number(process.env.DOCKET_BENCH_EXPORT_ROWS ?? 1_000_000);
  const t0 = performance.now();
  const job = await finishedJob(rows, { timeoutMs: 3 * 3600_000 });
  console.log(`export-parquet: job of ${rows.toLocaleString("en-US")} records made in ${s(t0)} s`);
  try {
    const out = join(job.dir, "export.parquet");
    const run = await docketInChild(["export", job.batchId, "--url", job.url, "--out", out], 3600_000);
    if (run.code !== 0) throw new Error(`docket export exited with ${run.code}: ${run.output}`);
    const check = await checkExport(out, rows);
    const typesOk = JSON.stringify(check.columns) === JSON.stringify(EXPECTED_COLUMNS);
    const correct = check.rows === rows && check.wrongRows === 0 && check.wrongSpots.length === 0 && typesOk;
    let csvPeak = Number.NaN;
    if (o.withCsv ?? true) {
      const csv = await docketInChild(
        ["export", job.batchId, "--url", job.url, "--out", join(job.dir, "export.csv")],
        3600_000,
      );
      csvPeak = csv.peakRssMb;
    }
    bench("export-parquet", {
      rows,
      seconds: run.seconds,
      cpu_seconds: run.cpuSeconds,
      rows_per_cpu_s: rows / run.cpuSeconds,
      peak_rss_mb: run.peakRssMb,
      csv_peak_rss_mb: csvPeak,
      row_groups: check.rowGroups,
      read_back_rows: check.rows,
      wrong_rows: check.wrongRows,
      types_ok: typesOk ? "yes" : "no",
      load_avg: loadavg()[0]!,
    });
    console.log(
      `  parquet: ${run.seconds.toFixed(1)} s (${run.cpuSeconds.toFixed(1)} s of CPU), peak RSS ` +
        `${run.peakRssMb.toFixed(0)} MB (CSV of the same job: ${csvPeak.toFixed(0)} MB), ${check.rowGroups} row groups; ` +
        `DuckDB read back ${check.rows.toLocaleString("en-US")} rows, ${check.wrongRows} wrong, ` +
        `spot rows ${check.wrongSpots.length === 0 ? "as in the dataset" : `wrong: ${check.wrongSpots.join(", ")}`}, ` +
        `column types ${typesOk ? "as expected" : JSON.stringify(check.columns)}`,
    );
    goal({
      name: "export-parquet.peak_rss_mb",
      value: run.peakRssMb,
      atMost: GOALS.peakRssMb,
      unit: "MB",
      what: `docket export --format parquet of ${rows.toLocaleString("en-US")} rows, no node flags`,
    });
    goal({
      name: "export-parquet.read_back_correct",
      value: correct ? 1 : 0,
      atLeast: 1,
      what: "DuckDB reads every row back, typed, equal to the answers and the dataset",
    });
  } finally {
    await job.close();
  }
}

const s = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);
