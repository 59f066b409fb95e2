import type { Command } from "commander";
import { DocketError } from "../../domain/errors.js";
import { assumedOutputTokens, type Estimate, estimate } from "../../prep/estimate.js";
import { readObservedOutput } from "../../prep/observed-output.js";
import { prepareDataset } from "../../prep/prepare.js";
import { type ModelPrice, routeOrTablePrice } from "../../prep/prices.js";
import type { Problem } from "../../prep/problem.js";
import { EXIT } from "../cli-errors.js";
import { requireFile } from "../require-file.js";
import {
  type DatasetCliOptions,
  datasetCommand,
  positiveInt,
  printProblems,
  printSummary,
  resolveWithPrices,
} from "./prepare.js";

interface EstimateCliOptions extends DatasetCliOptions {
  prices?: string;
  avgOutputTokens?: number;
  observedOutput?: string;
  concurrency?: number;
  latencyMs?: number;
  rpm?: number;
  tpm?: number;
  json?: boolean;
}

export function registerEstimateCommand(program: Command): void {
  const command = program
    .command("estimate")
    .description("Count tokens and estimate the cost and duration of a dataset, without writing or sending")
    .option("--prices <file>", "JSON price table overriding the built-in one")
    .option(
      "--avg-output-tokens <n>",
      "assume this many output tokens per request (capped by max_tokens)",
      positiveInt,
    )
    .option(
      "--observed-output <file>",
      "results JSONL of a sample run; its average output tokens are assumed",
    )
    .option("--concurrency <n>", "requests in flight at once (with --latency-ms)", positiveInt)
    .option("--latency-ms <ms>", "typical latency of one request", positiveInt)
    .option("--rpm <n>", "requests-per-minute limit", positiveInt)
    .option("--tpm <n>", "tokens-per-minute limit", positiveInt)
    .option("--json", "print the estimate as JSON");
  datasetCommand(command, async (dataset: string, opts: EstimateCliOptions) => {
    if (opts.avgOutputTokens !== undefined && opts.observedOutput !== undefined) {
      throw new DocketError(
        "invalid_option",
        "Give either --avg-output-tokens or --observed-output, not both.",
      );
    }
    const { options, overrides } = await resolveWithPrices(dataset, opts);
    if (opts.observedOutput !== undefined)
      await requireFile(opts.observedOutput, { role: "--observed-output" });
    const observed = await observedAverage(opts);
    const prepared = prepareDataset(options);
    const totals = { requests: 0, inputTokens: 0, outputTokens: 0 };
    const problems: Problem[] = [];
    for await (const item of prepared) {
      if (item.kind === "problem") {
        if (problems.length < opts.maxProblems) problems.push(item);
        continue;
      }
      totals.requests++;
      totals.inputTokens += item.inputTokens;
      totals.outputTokens += assumedOutputTokens(item, observed);
    }
    const price = routeOrTablePrice(prepared.template.spec.model, options.routes, overrides);
    const result = estimate(totals, price, {
      concurrency: opts.concurrency,
      latencyMs: opts.latencyMs,
      requestsPerMinute: opts.rpm,
      tokensPerMinute: opts.tpm,
    });
    if (opts.json) {
      console.log(
        JSON.stringify({ summary: prepared.summary, price, observedAverage: observed, estimate: result }),
      );
    } else {
      printSummary(prepared, dataset, "nothing written (estimate only)");
      printEstimate(result, price, observed);
      printProblems(problems, prepared);
    }
    return prepared.summary.prepared === prepared.summary.rowsRead ? EXIT.ok : EXIT.rowProblems;
  });
}

async function observedAverage(opts: EstimateCliOptions): Promise<number | null> {
  if (opts.avgOutputTokens !== undefined) return opts.avgOutputTokens;
  if (opts.observedOutput === undefined) return null;
  const observed = await readObservedOutput(opts.observedOutput);
  if (observed.averageOutputTokens === null) {
    throw new DocketError("invalid_option", `${opts.observedOutput} has no replies with usage to average.`);
  }
  return observed.averageOutputTokens;
}

const n = (x: number) => Math.round(x).toLocaleString("en-US");
const usd = (x: number) => `$${x < 1 ? x.toFixed(4) : x.toFixed(2)}`;

export function printEstimate(
  e: Estimate,
  price: ModelPrice | null,
  observed: number | null,
  showDuration = true,
): void {
  const assumption = observed === null ? "max_tokens per request" : `observed average ${observed.toFixed(1)}`;
  console.log("Estimate:");
  console.log(
    `  requests ${n(e.requests)}, input tokens ${n(e.inputTokens)}, output tokens ${n(e.outputTokens)} (${assumption})`,
  );
  if (e.cost === null || price === null) {
    console.log("  cost: unknown (no price for this model; pass --prices FILE)");
  } else {
    console.log(
      `  cost: ${usd(e.cost.onDemandUsd)} on demand, ${usd(e.cost.batchUsd)} through the provider's batch API ` +
        `(at $${price.inputPerMTok}/M input, $${price.outputPerMTok}/M output, ${price.batchDiscount * 100}% batch discount)`,
    );
  }
  if (!showDuration) return;
  if (e.duration === null) {
    console.log("  duration: unknown (give --rpm, --tpm, or --concurrency with --latency-ms)");
  } else {
    console.log(
      `  duration: about ${formatSeconds(e.duration.seconds)} (bounded by ${e.duration.limitedBy.replaceAll("_", " ")})`,
    );
  }
}

function formatSeconds(s: number): string {
  if (s < 90) return `${s.toFixed(0)} s`;
  if (s < 5400) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}
