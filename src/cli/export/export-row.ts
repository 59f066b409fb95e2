import type { ColumnType, TypedColumn } from "./column-types.js";
import { parseJsonFields } from "./json-fields.js";
import type { ExportStatus, RecordResult } from "./result-line.js";

/** What the export says about one input row (or one record, without an input). */
export interface RowOutcome {
  customId: string | null;
  status: ExportStatus;
  errorCode: string | null;
  errorMessage: string | null;
  result: RecordResult | null;
}

export const notRun = (
  customId: string | null,
  errorCode: string | null = null,
  errorMessage: string | null = null,
): RowOutcome => ({
  customId,
  status: "not_run",
  errorCode,
  errorMessage,
  result: null,
});

export const fromResult = (result: RecordResult): RowOutcome => ({
  customId: result.customId,
  status: result.status,
  errorCode: result.errorCode,
  errorMessage: result.errorMessage,
  result,
});

const BASE_COLUMNS = [
  "custom_id",
  "status",
  "error_code",
  "error_message",
  "output",
  "input_tokens",
  "output_tokens",
] as const;

/** The result columns, after the input's: the fixed ones, then `output.<field>` and `parse_error` with a schema. */
export function resultColumns(jsonFields: readonly string[] | null): string[] {
  const columns: string[] = [...BASE_COLUMNS];
  if (jsonFields !== null) columns.push(...jsonFields.map((f) => `output.${f}`), "parse_error");
  return columns;
}

const BASE_TYPES: Record<(typeof BASE_COLUMNS)[number], ColumnType> = {
  custom_id: "string",
  status: "string",
  error_code: "string",
  error_message: "string",
  output: "string",
  input_tokens: "int64",
  output_tokens: "int64",
};

/**
 * The result columns with their types (for Parquet): each `output.<field>` as its schema property
 * says, `json` (any JSON value) when no type is known for it.
 */
export function typedResultColumns(
  jsonFields: readonly string[] | null,
  fieldTypes: Readonly<Record<string, ColumnType>> | null,
): TypedColumn[] {
  const typed: TypedColumn[] = BASE_COLUMNS.map((name) => ({ name, type: BASE_TYPES[name] }));
  if (jsonFields !== null) {
    for (const f of jsonFields) typed.push({ name: `output.${f}`, type: fieldTypes?.[f] ?? "json" });
    typed.push({ name: "parse_error", type: "string" });
  }
  return typed;
}

/**
 * The result cells of a row, keyed by column. A structured output that does not parse keeps its
 * `succeeded` status (the model answered and was paid for) and says why in `parse_error`.
 */
export function resultValues(o: RowOutcome, jsonFields: readonly string[] | null): Record<string, unknown> {
  const r = o.result;
  const values: Record<string, unknown> = {
    custom_id: o.customId,
    status: o.status,
    error_code: o.errorCode,
    error_message: o.errorMessage,
    output: r?.output ?? null,
    input_tokens: r?.inputTokens ?? null,
    output_tokens: r?.outputTokens ?? null,
  };
  if (jsonFields !== null) {
    const parsed = o.status === "succeeded" && r ? parseJsonFields(r.output, jsonFields) : null;
    for (const f of jsonFields) values[`output.${f}`] = parsed?.values[f] ?? null;
    values.parse_error = parsed?.parseError ?? null;
  }
  return values;
}

/**
 * Input columns that clash with a result column are renamed `input.<name>`, so neither is lost.
 */
export function inputColumnName(name: string, taken: ReadonlySet<string>): string {
  return taken.has(name) ? `input.${name}` : name;
}
