import { type Command, Option } from "commander";
import { DocketError } from "../../domain/errors.js";
import { normaliseDelimiter } from "../../prep/readers/detect-delimiter.js";
import { parseFormat } from "../../prep/readers/open-dataset.js";
import { ApiClient } from "../api-client.js";
import type { BatchView } from "../batch-types.js";
import { describeExport, exportBatch, exportFormatFor } from "../export-batch.js";
import { requireFile } from "../require-file.js";
import { runCliAction } from "./prepare.js";

interface ExportCliOptions {
  format?: string;
  join?: string;
  idField?: string;
  inputFormat?: string;
  delimiter?: string;
  template?: string;
  out?: string;
  onlyRun?: boolean;
  merged?: boolean;
  url?: string;
  apiKey?: string;
}

/** `docket export JOB`: a finished job's results joined onto its input rows, as CSV, JSONL or Parquet. */
export function registerExportCommand(program: Command): void {
  program
    .command("export <job>")
    .description(
      "Write a finished job's results joined onto its input rows (CSV, JSONL or Parquet), in input order",
    )
    .addOption(
      new Option(
        "--format <format>",
        "csv, jsonl or parquet (default: from --out's extension, else csv)",
      ).choices(["csv", "jsonl", "parquet"]),
    )
    .option("--join <dataset>", "input dataset to join onto (default: the one `docket run` recorded)")
    .option(
      "--id-field <name>",
      "column/field of --join holding each row's id (default: the recorded one, else row-<n>)",
    )
    .addOption(
      new Option("--input-format <format>", "format of --join (default: from its extension)").choices([
        "csv",
        "jsonl",
      ]),
    )
    .option("--delimiter <char>", "CSV delimiter of --join (default: detected)")
    .option(
      "-t, --template <file>",
      "template whose JSON schema names the output.<field> columns (default: the recorded one)",
    )
    .option("--only-run", "leave out input rows the job did not run")
    .option("--merged", "the job's whole retry lineage: each request's latest success, else its latest error")
    .option("-o, --out <file>", "write here (default: standard output)")
    .option("--url <url>", "Docket server (default $DOCKET_URL or http://127.0.0.1:8080)")
    .option("--api-key <key>", "API key if the server requires one (or $DOCKET_API_KEY)")
    .action(async (job: string, o: ExportCliOptions) => {
      await runCliAction(async () => {
        if (o.join !== undefined) await requireFile(o.join, { role: "--join" });
        if (o.template !== undefined) await requireFile(o.template, { role: "--template" });
        const client = ApiClient.fromOptions(o);
        const batch = await client.json<BatchView>("GET", `/v1/batches/${encodeURIComponent(job)}`);
        const out = o.out ?? null;
        const summary = await exportBatch(client, batch, {
          out,
          format: exportFormatFor(o.format, out),
          join: o.join === undefined ? undefined : joinInput(o, batch),
          template: o.template,
          onlyRun: o.onlyRun,
          results: o.merged ? "merged" : "files",
        });
        console.error(`${job} (${batch.status}): ${describeExport(summary)}${out ? `; wrote ${out}` : ""}`);
        return 0;
      });
    });
}

function joinInput(o: ExportCliOptions, batch: BatchView) {
  let delimiter: string | undefined;
  if (o.delimiter !== undefined) {
    delimiter = normaliseDelimiter(o.delimiter) ?? undefined;
    if (delimiter === undefined)
      throw new DocketError("invalid_option", `--delimiter must be one of , ; tab | (got '${o.delimiter}').`);
  }
  return {
    dataset: o.join!,
    format: o.inputFormat !== undefined ? parseFormat(o.inputFormat) : undefined,
    delimiter,
    idField: o.idField ?? batch.metadata?.docket_id_field,
  };
}
