import { existsSync } from "node:fs";
import { extname } from "node:path";
import { DocketError } from "../domain/errors.js";
import { loadTemplate } from "../prep/template/load-template.js";
import type { ApiClient } from "./api-client.js";
import { type BatchView, TERMINAL } from "./batch-types.js";
import { schemaColumnTypes } from "./export/column-types.js";
import { type DatasetLink, linkFromMetadata } from "./export/dataset-link.js";
import { type ExportFormat, type ExportInput, type ExportSummary, exportJob } from "./export/export-job.js";
import { schemaFieldNames } from "./export/json-fields.js";
import { openResults, type ResultSource } from "./export/result-source.js";
import { fileSink, stdoutSink } from "./export/text-sink.js";

export interface ExportBatchOptions {
  /** null: standard output. */
  out: string | null;
  format: ExportFormat;
  /** The dataset to join onto; default: the one `docket run` recorded on the batch. */
  join?: ExportInput;
  /** The template whose JSON schema gives the `output.<field>` columns; default: the recorded one. */
  template?: string;
  onlyRun?: boolean;
  /** The batch's own output and error files (default), or its retry lineage merged by the server. */
  results?: ResultSource;
  /** Where notes for the person go (stderr when writing the export to stdout). */
  note?: (line: string) => void;
}

/** `--format`, or the extension of `--out` (`.jsonl`/`.ndjson` → jsonl, `.parquet` → parquet), else csv. */
export function exportFormatFor(format: string | undefined, out: string | null): ExportFormat {
  if (format !== undefined) {
    if (format === "csv" || format === "jsonl" || format === "parquet") return format;
    throw new DocketError("invalid_option", `--format must be csv, jsonl or parquet (got '${format}').`);
  }
  const ext = out === null ? "" : extname(out).toLowerCase();
  if (ext === ".parquet") return "parquet";
  return ext === ".jsonl" || ext === ".ndjson" ? "jsonl" : "csv";
}

/**
 * Exports a finished batch: streams its output and error files from the server and joins them
 * onto the input dataset (given, or recorded by `docket run` in the batch's metadata).
 */
export async function exportBatch(
  client: ApiClient,
  batch: BatchView,
  o: ExportBatchOptions,
): Promise<ExportSummary> {
  if (!TERMINAL.has(batch.status)) {
    throw new DocketError(
      "job_not_finished",
      `Batch ${batch.id} is still ${batch.status}; its results can be exported once it ends ` +
        `(docket status ${batch.id} --wait).`,
    );
  }
  if (o.format === "parquet" && o.out === null && process.stdout.isTTY) {
    throw new DocketError(
      "invalid_option",
      "Parquet is a binary file: pass --out FILE.parquet (or redirect standard output).",
    );
  }
  const note = o.note ?? ((line: string) => console.error(line));
  const streams = await openResults(client, batch, o.results ?? "files");
  // A merged lineage is joined onto the dataset its root was made from.
  const linked =
    streams.linkedBatchId === batch.id
      ? batch
      : await client.json<BatchView>("GET", `/v1/batches/${encodeURIComponent(streams.linkedBatchId)}`);
  const link = linkFromMetadata(linked.metadata) ?? linkFromMetadata(batch.metadata);
  const input = o.join ?? linkedInput(link, note);
  let fields: JsonFields;
  try {
    fields = await jsonFieldsOf(o.template ?? link?.template, note);
  } catch (e) {
    streams.outputFile?.destroy();
    streams.errorFile?.destroy();
    throw e;
  }
  const { jsonFields, jsonFieldTypes } = fields;
  const summary = await exportJob({
    outputFile: streams.outputFile,
    errorFile: streams.errorFile,
    input,
    jsonFields,
    jsonFieldTypes,
    format: o.format,
    sink: o.out === null ? stdoutSink() : await fileSink(o.out),
    onlyRun: o.onlyRun,
  });
  if (summary.unmatched > 0) {
    note(
      `warning: ${summary.unmatched} results matched no input row in order. Is ${input?.dataset} the file ` +
        "the job was prepared from, with the same --id-field?",
    );
  }
  return summary;
}

interface JsonFields {
  jsonFields: string[] | null;
  jsonFieldTypes: ReturnType<typeof schemaColumnTypes>;
}

/** The `output.<field>` columns (and their types) from the template's JSON schema. */
async function jsonFieldsOf(
  templatePath: string | undefined,
  note: (line: string) => void,
): Promise<JsonFields> {
  if (templatePath === undefined) return { jsonFields: null, jsonFieldTypes: null };
  if (!existsSync(templatePath)) {
    note(`note: template ${templatePath} is gone, so structured-output fields are not split into columns.`);
    return { jsonFields: null, jsonFieldTypes: null };
  }
  const responseFormat = (await loadTemplate(templatePath)).response_format;
  return { jsonFields: schemaFieldNames(responseFormat), jsonFieldTypes: schemaColumnTypes(responseFormat) };
}

function linkedInput(link: DatasetLink | null, note: (line: string) => void): ExportInput | null {
  if (link === null) {
    note(
      "note: no input recorded on this batch (pass --join DATASET): one row per request, without input columns.",
    );
    return null;
  }
  if (!existsSync(link.dataset)) {
    note(
      `note: the recorded input ${link.dataset} is gone (pass --join DATASET): rows without input columns.`,
    );
    return null;
  }
  return { dataset: link.dataset, format: link.format, delimiter: link.delimiter, idField: link.idField };
}

/** "50 rows: 48 succeeded, 2 failed" */
export function describeExport(s: ExportSummary): string {
  const parts = Object.entries(s.byStatus).map(([status, count]) => `${count} ${status}`);
  return `${s.written} rows: ${parts.join(", ") || "none"}`;
}
