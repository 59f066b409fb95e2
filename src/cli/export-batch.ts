import { existsSync } from "node:fs";
import { extname } from "node:path";
import { DocketError } from "../domain/errors.js";
import { loadTemplate } from "../prep/template/load-template.js";
import type { ApiClient } from "./api-client.js";
import { type BatchView, TERMINAL } from "./batch-types.js";
import { type DatasetLink, linkFromMetadata } from "./export/dataset-link.js";
import { type ExportFormat, type ExportInput, type ExportSummary, exportJob } from "./export/export-job.js";
import { schemaFieldNames } from "./export/json-fields.js";
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
  /** Where notes for the person go (stderr when writing the export to stdout). */
  note?: (line: string) => void;
}

/** `--format`, or the extension of `--out` (`.jsonl`/`.ndjson` → jsonl), else csv. */
export function exportFormatFor(format: string | undefined, out: string | null): ExportFormat {
  if (format !== undefined) {
    if (format === "csv" || format === "jsonl") return format;
    throw new DocketError("invalid_option", `--format must be csv or jsonl (got '${format}').`);
  }
  const ext = out === null ? "" : extname(out).toLowerCase();
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
  const note = o.note ?? ((line: string) => console.error(line));
  const link = linkFromMetadata(batch.metadata);
  const input = o.join ?? linkedInput(link, note);
  const templatePath = o.template ?? link?.template;
  let jsonFields: string[] | null = null;
  if (templatePath !== undefined) {
    if (existsSync(templatePath)) {
      jsonFields = schemaFieldNames((await loadTemplate(templatePath)).response_format);
    } else
      note(`note: template ${templatePath} is gone, so structured-output fields are not split into columns.`);
  }
  const outputFile = batch.output_file_id ? await client.fileContent(batch.output_file_id) : null;
  const errorFile = batch.error_file_id ? await client.fileContent(batch.error_file_id) : null;
  const summary = await exportJob({
    outputFile,
    errorFile,
    input,
    jsonFields,
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
