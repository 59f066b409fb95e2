import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, extname, join, resolve } from "node:path";
import { type Command, Option } from "commander";
import { DocketError } from "../../domain/errors.js";
import { type Estimate, estimate } from "../../prep/estimate.js";
import { type ModelPrice, routeOrTablePrice } from "../../prep/prices.js";
import { readDataset } from "../../prep/readers/open-dataset.js";
import { sampleIndices } from "../../prep/sample.js";
import { ApiClient } from "../api-client.js";
import type { BatchView } from "../batch-types.js";
import { EXIT } from "../cli-errors.js";
import { linkToMetadata } from "../export/dataset-link.js";
import { describeExport, exportBatch, exportFormatFor } from "../export-batch.js";
import { type PreparedFile, prepareToFile, writeLines } from "../run/prepare-to-file.js";
import { resumeRun } from "../run/resume-run.js";
import { positiveUsd } from "../usd-option.js";
import { describeBatch, exitCodeFor, waitForBatch } from "../wait-for-batch.js";
import { printEstimate } from "./estimate.js";
import {
  type DatasetCliOptions,
  datasetCommand,
  positiveInt,
  printProblems,
  printSummary,
  resolveWithPrices,
} from "./prepare.js";

interface RunCliOptions extends DatasetCliOptions {
  sample?: number;
  thenFull?: boolean;
  budget?: number;
  wait?: boolean;
  out?: string;
  outFormat?: string;
  skipBadRows?: boolean;
  prices?: string;
  completionWindow: string;
  /** False with `--no-dedup`: identical deterministic rows are each sent (docs/dedup-and-cache.md). */
  dedup: boolean;
  /** `--resume [batch]`: run again only the rows of an earlier run without a success (docs/lineage.md). */
  resume?: string | true;
  url?: string;
  apiKey?: string;
}

/**
 * `docket run`: prepare → estimate → submit → progress → export, in one command. With
 * `--sample N` it runs N rows spread over the file first and sharpens the estimate with their
 * measured output length.
 */
export function registerRunCommand(program: Command): void {
  const command = program
    .command("run")
    .description(
      "Prepare a dataset, estimate it, run it on Docket and export the results joined onto its rows",
    )
    .option(
      "--sample <n>",
      "run n rows spread over the file, show them and a sharper estimate, then stop",
      positiveInt,
    )
    .option("--then-full", "with --sample: go on with the full run after the sample")
    .option("--budget <usd>", "stop the job once its real cost reaches this many US dollars", positiveUsd)
    .option("--wait", "wait for the job, showing progress, then export its results")
    .option(
      "-o, --out <file>",
      "export file (default: <dataset name>.results.csv in the current directory, .sample.csv with --sample)",
    )
    .addOption(
      new Option(
        "--out-format <format>",
        "export format (default: from --out's extension, else csv)",
      ).choices(["csv", "jsonl"]),
    )
    .option("--skip-bad-rows", "submit the good rows even if some rows have problems")
    .option("--no-dedup", "send every row, even identical deterministic ones (default: each once)")
    .option(
      "--resume [batch]",
      "run again only the rows of the last run of this dataset (or of BATCH's lineage) that have no success",
    )
    .option("--prices <file>", "JSON price table for the estimate (and the budget)")
    .option("-w, --completion-window <window>", "e.g. 24h, 90m", "24h")
    .option("--url <url>", "Docket server (default $DOCKET_URL or http://127.0.0.1:8080)")
    .option("--api-key <key>", "API key if the server requires one (or $DOCKET_API_KEY)");
  datasetCommand(command, run);
}

async function run(dataset: string, opts: RunCliOptions): Promise<number> {
  if (opts.dialect !== "openai") {
    throw new DocketError(
      "invalid_option",
      "docket run submits to Docket's OpenAI-compatible Batches API: leave --dialect at openai " +
        "(use docket prepare to write Anthropic or Bedrock files).",
    );
  }
  if (opts.thenFull && opts.sample === undefined)
    throw new DocketError("invalid_option", "--then-full goes with --sample N.");
  const { options, overrides } = await resolveWithPrices(dataset, opts);
  const client = ApiClient.fromOptions(opts);
  if (opts.resume !== undefined) {
    if (opts.sample !== undefined) throw new DocketError("invalid_option", "--resume goes without --sample.");
    const base = basename(dataset, extname(dataset));
    const out = opts.out ?? `${base}.results.${exportFormatFor(opts.outFormat, null)}`;
    return resumeRun(client, {
      resume: opts.resume,
      dataset,
      template: opts.template,
      wait: opts.wait === true,
      maxProblems: opts.maxProblems,
      out: { out, format: exportFormatFor(opts.outFormat, out) },
      describeExport,
    });
  }
  const work = await mkdtemp(join(tmpdir(), "docket-run-"));
  try {
    const base = basename(dataset, extname(dataset));
    const file = await prepareToFile(options, join(work, `${base}.openai.jsonl`), opts.maxProblems);
    const model = file.prepared.template.spec.model;
    const price = routeOrTablePrice(model, options.routes, overrides);
    printSummary(file.prepared, dataset, `${file.requests} requests ready`);
    const first = estimateFor(file, price, null);
    printEstimate(first, price, null, false);
    if (file.problems.length > 0) {
      printProblems(file.problems, file.prepared);
      if (!opts.skipBadRows) {
        console.log(
          `Nothing submitted: ${file.prepared.summary.rowsRead - file.requests} rows have problems. ` +
            `Fix them, or pass --skip-bad-rows to run the ${file.requests} good rows.`,
        );
        return EXIT.rowProblems;
      }
    }
    if (file.requests === 0) throw new DocketError("empty_dataset", `${dataset} has no rows to run.`);
    if (opts.budget !== undefined && price === null) {
      console.log(
        `note: no price is known here for ${model}; the server charges the budget at its route's "price", ` +
          "and refuses the batch if it knows none either (pass --prices FILE to set one).",
      );
    }
    if (opts.budget !== undefined && first.cost && first.cost.onDemandUsd > opts.budget) {
      console.log(
        `note: the estimate (${usd(first.cost.onDemandUsd)} at max_tokens) is above the ${usd(opts.budget)} budget; ` +
          "the job stops when its real cost reaches the budget.",
      );
    }
    const submit = async (path: string, sample?: number) => {
      const link = {
        dataset: resolve(dataset),
        format: options.format,
        delimiter: options.delimiter,
        idField: options.idField,
        template: resolve(opts.template),
        sample,
      };
      const { metadata, dropped } = linkToMetadata(link);
      if (dropped.length > 0)
        console.log(
          `note: ${dropped.join(", ")} not recorded (over 512 characters); pass --join to docket export.`,
        );
      const uploaded = await client.uploadFile(path, "batch");
      const batch = await client.json<BatchView>("POST", "/v1/batches", {
        input_file_id: uploaded.id,
        endpoint: file.prepared.template.endpoint,
        completion_window: opts.completionWindow,
        metadata,
        // Identical deterministic rows once (temperature 0 or a seed): on unless --no-dedup.
        docket_dedup: opts.dedup,
        ...(opts.budget !== undefined ? { docket_budget_usd: opts.budget } : {}),
        // An explicit price table wins over what the server would resolve.
        ...(opts.budget !== undefined && overrides.length > 0 && price
          ? { docket_price: { input_per_mtok: price.inputPerMTok, output_per_mtok: price.outputPerMTok } }
          : {}),
      });
      console.log(`${batch.id} created from ${uploaded.id} (${sample ?? file.requests} requests)`);
      return batch;
    };
    // Written where the command runs, not beside the dataset (which may be a shipped example
    // or a read-only directory).
    const outFor = (kind: "sample" | "results") => {
      const out = opts.out ?? `${base}.${kind}.${exportFormatFor(opts.outFormat, null)}`;
      return { out, format: exportFormatFor(opts.outFormat, out) };
    };

    if (opts.sample !== undefined) {
      const picks = sampleIndices(file.requests, opts.sample);
      const samplePath = join(work, `${base}.sample.jsonl`);
      await writeLines(file.path, picks, samplePath);
      console.log(`Sample: ${picks.length} of ${file.requests} rows, spread over the file.`);
      const done = await waitForBatch(client, (await submit(samplePath, picks.length)).id);
      console.log(describeBatch(done, opts.maxProblems));
      const { out, format } = outFor("sample");
      const summary = await exportBatch(client, done, {
        out,
        format,
        onlyRun: true,
        note: (l) => console.log(l),
      });
      console.log(`Sample results: ${describeExport(summary)}; wrote ${out}`);
      await showOutputs(out, format);
      const observed = averageOutput(done);
      if (observed === null) {
        console.log("No sample request succeeded with usage, so the estimate cannot be sharpened.");
      } else {
        console.log(`Measured: ${observed.toFixed(1)} output tokens per request on average.`);
        console.log(`For all ${file.requests} rows:`);
        printEstimate(estimateFor(file, price, observed), price, observed, false);
      }
      if (!opts.thenFull) {
        console.log("Run them all: the same command without --sample (or with --then-full).");
        return exitCodeFor(done);
      }
    }

    const batch = await submit(file.path);
    if (!opts.wait) {
      console.log(`Follow it: docket status ${batch.id} --wait`);
      console.log(`Results, joined onto ${dataset}: docket export ${batch.id} --out results.csv`);
      return 0;
    }
    const done = await waitForBatch(client, batch.id);
    console.log(describeBatch(done, opts.maxProblems));
    const { out, format } = outFor("results");
    const summary = await exportBatch(client, done, { out, format, note: (l) => console.log(l) });
    console.log(`Results: ${describeExport(summary)}; wrote ${out}`);
    return exitCodeFor(done);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function estimateFor(file: PreparedFile, price: ModelPrice | null, observed: number | null): Estimate {
  return estimate(
    { requests: file.requests, inputTokens: file.inputTokens, outputTokens: file.outputs.assumed(observed) },
    price,
  );
}

/** Output tokens per succeeded request, from the usage the job aggregated. */
function averageOutput(b: BatchView): number | null {
  const completed = b.request_counts.completed;
  if (!b.usage || completed === 0) return null;
  return b.usage.output_tokens / completed;
}

const usd = (x: number) => `$${x < 1 ? x.toFixed(4) : x.toFixed(2)}`;

/** Prints each sample row's id and output on one line, so a person can judge the prompt. */
async function showOutputs(path: string, format: "csv" | "jsonl" | "parquet"): Promise<void> {
  if (format === "parquet") return; // binary: read it with DuckDB, pandas, Spark…
  console.log("Outputs:");
  for await (const item of readDataset(path, format)) {
    if (item.kind !== "row") continue;
    const f = item.fields;
    const text = String(f.output ?? f.error_message ?? "").replace(/\s+/g, " ");
    const shown = text.length > 160 ? `${text.slice(0, 157)}...` : text;
    console.log(`  ${String(f.custom_id ?? "")} [${String(f.status ?? "")}] ${shown}`);
  }
}
