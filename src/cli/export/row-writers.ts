import { type ColumnType, type TypedColumn, typedCell } from "./column-types.js";
import { csvLine } from "./csv-line.js";
import { inputColumnName } from "./export-row.js";
import { ParquetRowSink } from "./parquet-sink.js";
import type { ExportSink } from "./text-sink.js";

/** Writes export rows in one format: the input row's fields, then the result cells by column. */
export interface RowWriter {
  /** `fields`: the input row's (null without an input, or for a row that did not parse). */
  write(fields: Record<string, unknown> | null, values: Record<string, unknown>): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** CSV: a header of the input's columns (renamed `input.<name>` on a clash) and the result columns. */
export async function csvRows(
  sink: ExportSink,
  inputColumns: readonly string[],
  resultColumns: ReadonlySet<string>,
): Promise<RowWriter> {
  await sink.write(
    csvLine([...inputColumns.map((c) => inputColumnName(c, resultColumns)), ...resultColumns]),
  );
  return {
    async write(fields, values) {
      const inputCells = inputColumns.map((c) => fields?.[c] ?? null);
      await sink.write(csvLine([...inputCells, ...Object.values(values)]));
    },
    commit: () => sink.commit(),
    abort: () => sink.abort(),
  };
}

/** JSONL: one object per row, the input's members as they are, then the result members. */
export function jsonlRows(sink: ExportSink, resultColumns: ReadonlySet<string>): RowWriter {
  return {
    async write(fields, values) {
      const record: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(fields ?? {})) record[inputColumnName(k, resultColumns)] = v;
      await sink.write(`${JSON.stringify(Object.assign(record, values))}\n`);
    },
    commit: () => sink.commit(),
    abort: () => sink.abort(),
  };
}

/**
 * Parquet: typed columns. A structured-output field whose value is not of its schema type (a
 * string where the schema says integer) is left null and `parse_error` says which and why, as for
 * an answer that does not parse at all: the column keeps its type for every reader.
 */
export function parquetRows(
  sink: ExportSink,
  inputColumns: readonly TypedColumn[],
  resultColumns: readonly TypedColumn[],
): RowWriter {
  const taken = new Set(resultColumns.map((c) => c.name));
  const columns = [
    ...inputColumns.map((c) => ({ name: inputColumnName(c.name, taken), type: c.type })),
    ...resultColumns,
  ];
  const out = new ParquetRowSink(columns, sink);
  const parseErrorAt = resultColumns.findIndex((c) => c.name === "parse_error");
  const cells: unknown[] = new Array(columns.length);
  return {
    async write(fields, values) {
      let c = 0;
      for (const column of inputColumns) cells[c++] = cellOf(fields?.[column.name], column.type);
      let problems: string | null = null;
      for (const column of resultColumns) {
        const cell = typedCell(values[column.name], column.type);
        if (cell.ok) cells[c++] = cell.value;
        else {
          cells[c++] = null;
          problems = `${problems === null ? "" : `${problems}; `}${column.name}: ${cell.problem}`;
        }
      }
      if (problems !== null && parseErrorAt >= 0) {
        const at = inputColumns.length + parseErrorAt;
        cells[at] = cells[at] === null ? problems : `${cells[at]}; ${problems}`;
      }
      await out.write(cells);
    },
    commit: () => out.commit(),
    abort: () => out.abort(),
  };
}

/** An input cell: its column's type was inferred from every value (JSONL) or is text (CSV). */
function cellOf(value: unknown, type: ColumnType): unknown {
  const cell = typedCell(value, type);
  return cell.ok ? cell.value : null;
}
