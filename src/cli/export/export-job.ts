import type { Readable } from "node:stream";
import { MAX_LINE_BYTES_CEILING } from "../../config/check-validation-limits.js";
import { DocketError } from "../../domain/errors.js";
import { rowId } from "../../prep/prepare.js";
import type { DatasetFormat, ReaderItem } from "../../prep/readers/dataset-row.js";
import { formatFromPath, readDataset } from "../../prep/readers/open-dataset.js";
import { readInputLines } from "../../validation/line-reader.js";
import { type ColumnType, ColumnTypeInference, type TypedColumn } from "./column-types.js";
import { resultColumns, resultValues, typedResultColumns } from "./export-row.js";
import { HeapCeiling } from "./heap-ceiling.js";
import { type JoinedRow, type JoinStats, joinResults, mergeResults } from "./join-results.js";
import { parseResultLine, type RecordResult } from "./result-line.js";
import { csvRows, jsonlRows, parquetRows, type RowWriter } from "./row-writers.js";
import type { ExportSink } from "./text-sink.js";

export type ExportFormat = "csv" | "jsonl" | "parquet";

/** The dataset a job was prepared from, to join its results onto. */
export interface ExportInput {
  dataset: string;
  format?: DatasetFormat;
  delimiter?: string;
  /** As given to `prepare`/`run`; without it ids are `row-<rowNumber>`. */
  idField?: string;
}

export interface ExportOptions {
  /**
   * The job's output and error files, as streams of JSONL (null when the job has none). A merged
   * lineage is one stream of every line in input order, as `outputFile`, with no `errorFile`.
   */
  outputFile: Readable | null;
  errorFile: Readable | null;
  input: ExportInput | null;
  /** Property names of the request's JSON schema: one `output.<name>` column each. */
  jsonFields: string[] | null;
  /** Their types, for typed formats (Parquet); a field without one is a JSON column. */
  jsonFieldTypes?: Readonly<Record<string, ColumnType>> | null;
  format: ExportFormat;
  sink: ExportSink;
  /** Leave out input rows the job did not run (e.g. all but a sample's rows). */
  onlyRun?: boolean;
}

export interface ExportSummary extends JoinStats {
  written: number;
  byStatus: Record<string, number>;
}

/** Reads of the input a row at a time would cost too much; a small read keeps few rows waiting. */
const INPUT_READ_BYTES = 64 * 1024;

/**
 * Writes one row per input row, in input order (or one per record without an input): the input's
 * columns, then status, error, output, token counts and structured-output fields. Everything is
 * streamed — the input, both result files and the export — so memory stays bounded for any size.
 */
export async function exportJob(o: ExportOptions): Promise<ExportSummary> {
  const stats: JoinStats = { rows: 0, unmatched: 0 };
  const outputs = resultLines(o.outputFile);
  const errors = resultLines(o.errorFile);
  const rows: AsyncIterable<JoinedRow> =
    o.input === null
      ? mergeResults(outputs, errors, stats)
      : joinResults(
          readInput(o.input),
          (row) => {
            const id = rowId(row, o.input!.idField);
            return typeof id === "string" ? id : null;
          },
          outputs,
          errors,
          stats,
        );
  const summary: ExportSummary = { ...stats, written: 0, byStatus: {} };
  const heap = new HeapCeiling();
  let writer: RowWriter | null = null;
  try {
    writer = await rowWriter(o);
    for await (const row of rows) {
      heap.tick();
      if (o.onlyRun && row.outcome.status === "not_run") continue;
      summary.written++;
      summary.byStatus[row.outcome.status] = (summary.byStatus[row.outcome.status] ?? 0) + 1;
      await writer.write(row.fields, resultValues(row.outcome, o.jsonFields));
    }
    await writer.commit();
  } catch (e) {
    await (writer ?? o.sink).abort();
    o.outputFile?.destroy();
    o.errorFile?.destroy();
    throw e;
  }
  summary.rows = stats.rows;
  summary.unmatched = stats.unmatched;
  return summary;
}

async function rowWriter(o: ExportOptions): Promise<RowWriter> {
  const results = new Set(resultColumns(o.jsonFields));
  if (o.format === "jsonl") return jsonlRows(o.sink, results);
  if (o.format === "csv") {
    const columns = o.input === null ? [] : await scanColumns(o.input, false);
    return csvRows(
      o.sink,
      columns.map((c) => c.name),
      results,
    );
  }
  const columns = o.input === null ? [] : await scanColumns(o.input, true);
  return parquetRows(o.sink, columns, typedResultColumns(o.jsonFields, o.jsonFieldTypes ?? null));
}

function readInput(input: ExportInput): AsyncGenerator<ReaderItem> {
  return readDataset(input.dataset, input.format, {
    delimiter: input.delimiter,
    readBytes: INPUT_READ_BYTES,
  });
}

/**
 * CSV and Parquet exports need their columns before the first row: a CSV's columns are those of
 * its first good row, all text; a JSONL file's are every key met, in first-seen order, each typed
 * from every value it holds (a read of the whole file, keeping only names and kinds).
 */
async function scanColumns(input: ExportInput, typed: boolean): Promise<TypedColumn[]> {
  const seen = new Map<string, ColumnTypeInference>();
  const csv = (input.format ?? formatFromPath(input.dataset)) === "csv";
  for await (const item of readInput(input)) {
    if (item.kind !== "row") continue;
    for (const [k, v] of Object.entries(item.fields)) {
      let column = seen.get(k);
      if (column === undefined) {
        column = new ColumnTypeInference();
        seen.set(k, column);
      }
      if (typed && !csv) column.observe(v);
    }
    if (csv) break;
  }
  return [...seen].map(([name, column]) => ({ name, type: column.type }));
}

async function* resultLines(stream: Readable | null): AsyncGenerator<RecordResult> {
  if (stream === null) return;
  for await (const lines of readInputLines(stream, MAX_LINE_BYTES_CEILING)) {
    for (const l of lines) {
      if ("problem" in l) {
        throw new DocketError("invalid_result_file", `Result file line ${l.line}: ${l.problem.message}`);
      }
      if (!("text" in l) || l.text.trim() === "") continue;
      try {
        yield parseResultLine(l.text);
      } catch (e) {
        throw new DocketError("invalid_result_file", `Result file line ${l.line}: ${(e as Error).message}`);
      }
    }
  }
}
