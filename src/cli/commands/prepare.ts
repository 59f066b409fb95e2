import { readFile } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { RouteConfig } from "../../config/config.js";
import { DocketError } from "../../domain/errors.js";
import { DIALECT_NAMES, parseDialectName } from "../../prep/dialects/dialect.js";
import { JsonlFileWriter } from "../../prep/jsonl-writer.js";
import { formatOverflowPolicy, parseOverflowPolicy } from "../../prep/overflow-policy.js";
import { type PreparedDataset, type PrepareOptions, prepareDataset } from "../../prep/prepare.js";
import { loadPriceTable, type ModelPrice } from "../../prep/prices.js";
import type { Problem } from "../../prep/problem.js";
import { normaliseDelimiter } from "../../prep/readers/detect-delimiter.js";
import { parseFormat } from "../../prep/readers/open-dataset.js";
import { loadTemplate } from "../../prep/template/load-template.js";
import { parseTokenizerChoice } from "../../prep/tokens/select-counter.js";
import { DEFAULT_MAX_PROBLEMS } from "../batch-problems.js";
import { runCliAction } from "../cli-action.js";
import { EXIT } from "../cli-errors.js";
import { requireFile } from "../require-file.js";

/** Options shared by `prepare` and `estimate` (and later `run`), as commander parses them. */
export interface DatasetCliOptions {
  template: string;
  model?: string;
  dialect: string;
  idField?: string;
  delimiter?: string;
  format?: string;
  contextLength?: number;
  onOverflow: string;
  tokenizer: string;
  config?: string;
  maxProblems: number;
}

export const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("must be a positive integer.");
  return n;
};

export function addDatasetOptions(command: Command): Command {
  return command
    .argument("<dataset>", "CSV (with a header row) or JSONL file")
    .requiredOption("-t, --template <file>", "prompt template (JSON)")
    .option("-m, --model <name>", "model, replacing the template's")
    .addOption(new Option("--dialect <name>", "batch file dialect").choices(DIALECT_NAMES).default("openai"))
    .option("--id-field <name>", "column/field holding each row's id (default: row-<n>)")
    .option("--delimiter <char>", "CSV delimiter: , ; tab | (default: detected from the header)")
    .addOption(
      new Option("--format <format>", "dataset format (default: from the extension)").choices([
        "csv",
        "jsonl",
      ]),
    )
    .option("--context-length <tokens>", "context length to check against", positiveInt)
    .option("--on-overflow <policy>", "reject, or truncate:<field> to cut that field to fit", "reject")
    .addOption(
      new Option("--tokenizer <name>", "token counter")
        .choices(["auto", "estimate", "o200k_base", "cl100k_base"])
        .default("auto"),
    )
    .option("--config <file>", "docket.config.json whose routes give context lengths (and prices)")
    .option("--max-problems <n>", "problems to print", positiveInt, DEFAULT_MAX_PROBLEMS);
}

/**
 * Adds the dataset options to a dataset command (`prepare`, `estimate`, `run`) and makes `action`
 * its body: its result is the exit code, a DocketError a usage error (see runCliAction).
 */
export function datasetCommand<O extends DatasetCliOptions>(
  command: Command,
  action: (dataset: string, opts: O) => Promise<number>,
): Command {
  return addDatasetOptions(command).action(async (dataset: string, opts: O) => {
    await runCliAction(() => action(dataset, opts));
  });
}

/** How `estimate` and `run` start: the pipeline options, and the `--prices` table's overrides (none: []). */
export async function resolveWithPrices(
  dataset: string,
  opts: DatasetCliOptions & { prices?: string },
): Promise<{ options: PrepareOptions; overrides: ModelPrice[] }> {
  const options = await resolvePrepareOptions(dataset, opts);
  if (opts.prices === undefined) return { options, overrides: [] };
  await requireFile(opts.prices, { role: "--prices" });
  return { options, overrides: await loadPriceTable(opts.prices) };
}

/** Turns parsed CLI options into pipeline options; throws DocketError on bad input. */
export async function resolvePrepareOptions(
  dataset: string,
  opts: DatasetCliOptions,
): Promise<PrepareOptions> {
  await requireFile(dataset, { role: "the dataset", code: "dataset_not_found" });
  await requireFile(opts.template, { role: "--template", code: "template_not_found" });
  if (opts.config !== undefined) await requireFile(opts.config, { role: "--config" });
  let delimiter: string | undefined;
  if (opts.delimiter !== undefined) {
    delimiter = normaliseDelimiter(opts.delimiter) ?? undefined;
    if (delimiter === undefined) {
      throw new DocketError(
        "invalid_option",
        `--delimiter must be one of , ; tab | (got '${opts.delimiter}').`,
      );
    }
  }
  return {
    dataset,
    format: opts.format !== undefined ? parseFormat(opts.format) : undefined,
    template: await loadTemplate(opts.template, opts.model),
    dialect: parseDialectName(opts.dialect),
    idField: opts.idField,
    delimiter,
    contextLength: opts.contextLength,
    routes: opts.config !== undefined ? await readRoutes(opts.config) : undefined,
    onOverflow: parseOverflowPolicy(opts.onOverflow),
    tokenizer: parseTokenizerChoice(opts.tokenizer),
  };
}

async function readRoutes(path: string): Promise<RouteConfig[]> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, "utf8"));
  } catch (e) {
    throw new DocketError("invalid_config", `Cannot read config ${path}: ${(e as Error).message}`);
  }
  const routes = (value as { routes?: unknown } | null)?.routes ?? [];
  const valid =
    Array.isArray(routes) &&
    routes.every((r) => typeof r === "object" && r !== null && Array.isArray((r as RouteConfig).models));
  if (!valid)
    throw new DocketError(
      "invalid_config",
      `Config ${path}: "routes" must be an array of routes with "models".`,
    );
  return routes as RouteConfig[];
}

export function registerPrepareCommand(program: Command): void {
  const command = program
    .command("prepare")
    .description("Turn a dataset and a prompt template into a validated batch input file")
    .option("-o, --out <file>", "output JSONL (default: <dataset>.<dialect>.jsonl beside the dataset)");
  datasetCommand(command, async (dataset: string, opts: DatasetCliOptions & { out?: string }) => {
    const options = await resolvePrepareOptions(dataset, opts);
    const out = opts.out ?? defaultOutPath(dataset, opts.dialect);
    const prepared = prepareDataset(options);
    const writer = await JsonlFileWriter.create(out);
    const problems: Problem[] = [];
    try {
      for await (const item of prepared) {
        if (item.kind === "request") await writer.write(prepared.dialect.toLine(item));
        else if (problems.length < opts.maxProblems) problems.push(item);
      }
      await writer.commit();
    } catch (e) {
      await writer.abort();
      throw e;
    }
    printSummary(prepared, dataset, `wrote ${out} (${prepared.dialect.name} dialect)`);
    printProblems(problems, prepared);
    return prepared.summary.prepared === prepared.summary.rowsRead ? EXIT.ok : EXIT.rowProblems;
  });
}

function defaultOutPath(dataset: string, dialect: string): string {
  return join(dirname(dataset), `${basename(dataset, extname(dataset))}.${dialect}.jsonl`);
}

/**
 * Exit codes: 0 all rows prepared, 4 some rows had problems (the good ones are still
 * written), 1 a usage error (bad option, unreadable template or dataset).
 */
export { runCliAction };

const n = (x: number) => x.toLocaleString("en-US");

export function printSummary(prepared: PreparedDataset, dataset: string, outcome: string): void {
  const s = prepared.summary;
  const problemCounts = Object.entries(s.problems)
    .map(([code, count]) => `${code} ${n(count)}`)
    .join(", ");
  const context = prepared.contextLength;
  console.log(`${dataset}: ${n(s.rowsRead)} rows read, ${n(s.prepared)} prepared; ${outcome}`);
  console.log(
    `  rejected ${n(s.rejected)}, truncated ${n(s.truncated)}, unparseable ${n(s.unparseable)}` +
      (problemCounts ? ` (${problemCounts})` : ""),
  );
  console.log(
    `  model ${prepared.template.spec.model}, ${prepared.template.endpoint}; tokenizer ${prepared.tokenizer.name}; ` +
      `context length ${context.tokens === null ? "unknown (not checked)" : `${n(context.tokens)} (${context.source})`}; ` +
      `on overflow: ${formatOverflowPolicy(prepared.policy)}`,
  );
  console.log(`  input tokens ${n(s.inputTokens)}, max output tokens ${n(s.maxOutputTokens)}`);
}

export function printProblems(shown: Problem[], prepared: PreparedDataset): void {
  if (shown.length === 0) return;
  console.log("Problems:");
  for (const p of shown) {
    const row = p.rowNumber !== null ? ` (row ${p.rowNumber})` : "";
    console.log(`  line ${p.line}${row}: [${p.code}] ${p.message}`);
  }
  const total = prepared.summary.rejected + prepared.summary.unparseable;
  if (total > shown.length)
    console.log(`  … and ${n(total - shown.length)} more (raise --max-problems to see them)`);
}
