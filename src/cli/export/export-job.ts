import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { DocketError } from "../../domain/errors.js";
import { rowId } from "../../prep/prepare.js";
import type { DatasetFormat, ReaderItem } from "../../prep/readers/dataset-row.js";
import { formatFromPath, readDataset } from "../../prep/readers/open-dataset.js";
import { csvLine } from "./csv-line.js";
import { inputColumnName, resultColumns, resultValues } from "./export-row.js";
import { type JoinedRow, type JoinStats, joinResults, mergeResults } from "./join-results.js";
import { parseResultLine, type RecordResult } from "./result-line.js";
import type { TextSink } from "./text-sink.js";

export type ExportFormat = "csv" | "jsonl";

/** The dataset a job was prepared from, to join its results onto. */
export interface ExportInput {
  dataset: string;
  format?: DatasetFormat;
  delimiter?: string;
  /** As given to `prepare`/`run`; without it ids are `row-<rowNumber>`. */
  idField?: string;
}

export interface ExportOptions {
  /** The job's output and error files, as streams of JSONL (null when the job has none). */
  outputFile: Readable | null;
  errorFile: Readable | null;
  input: ExportInput | null;
  /** Property names of the request's JSON schema: one `output.<name>` column each. */
  jsonFields: string[] | null;
  format: ExportFormat;
  sink: TextSink;
  /** Leave out input rows the job did not run (e.g. all but a sample's rows). */
  onlyRun?: boolean;
}

export interface ExportSummary extends JoinStats {
  written: number;
  byStatus: Record<string, number>;
}

/**
 * Writes one row per input row, in input order (or one per record without an input): the input's
 * columns, then status, error, output, token counts and structured-output fields. Everything is
 * streamed — the input, both result files and the export — so memory stays bounded for any size.
 */
export async function exportJob(o: ExportOptions): Promise<ExportSummary> {
  const stats: JoinStats = { rows: 0, unmatched: 0 };
  const outputs = resultLines(o.outputFile);
  const errors = resultLines(o.errorFile);
  const results = columnsOf(o.jsonFields);
  const inputColumns = o.input !== null && o.format === "csv" ? await scanColumns(o.input) : null;
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
  try {
    if (o.format === "csv") {
      const header = [...(inputColumns ?? []).map((c) => inputColumnName(c, results)), ...results];
      await o.sink.write(csvLine(header));
    }
    for await (const row of rows) {
      if (o.onlyRun && row.outcome.status === "not_run") continue;
      summary.written++;
      summary.byStatus[row.outcome.status] = (summary.byStatus[row.outcome.status] ?? 0) + 1;
      const values = resultValues(row.outcome, o.jsonFields);
      if (o.format === "csv") {
        const inputCells = (inputColumns ?? []).map((c) => row.fields?.[c] ?? null);
        await o.sink.write(csvLine([...inputCells, ...Object.values(values)]));
      } else {
        const record: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(row.fields ?? {})) record[inputColumnName(k, results)] = v;
        await o.sink.write(`${JSON.stringify(Object.assign(record, values))}\n`);
      }
    }
    await o.sink.commit();
  } catch (e) {
    await o.sink.abort();
    o.outputFile?.destroy();
    o.errorFile?.destroy();
    throw e;
  }
  summary.rows = stats.rows;
  summary.unmatched = stats.unmatched;
  return summary;
}

function columnsOf(jsonFields: string[] | null): Set<string> {
  return new Set(resultColumns(jsonFields));
}

function readInput(input: ExportInput): AsyncGenerator<ReaderItem> {
  return readDataset(input.dataset, input.format, { delimiter: input.delimiter });
}

/**
 * A CSV export needs its header before the first row: a CSV's columns are those of its first
 * good row; a JSONL file's are every key met, in first-seen order (a read of the whole file,
 * keeping only the names).
 */
async function scanColumns(input: ExportInput): Promise<string[]> {
  const seen = new Set<string>();
  for await (const item of readInput(input)) {
    if (item.kind !== "row") continue;
    for (const k of Object.keys(item.fields)) seen.add(k);
    if ((input.format ?? formatFromPath(input.dataset)) === "csv") break;
  }
  return [...seen];
}

async function* resultLines(stream: Readable | null): AsyncGenerator<RecordResult> {
  if (stream === null) return;
  let n = 0;
  for await (const text of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
    n++;
    if (text.trim() === "") continue;
    try {
      yield parseResultLine(text);
    } catch (e) {
      throw new DocketError("invalid_result_file", `Result file line ${n}: ${(e as Error).message}`);
    }
  }
}
