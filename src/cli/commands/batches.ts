import { pipeline } from "node:stream/promises";
import type { Command } from "commander";
import { DocketError } from "../../domain/errors.js";
import { ApiClient } from "../api-client.js";
import { DEFAULT_MAX_PROBLEMS, formatBatchProblems } from "../batch-problems.js";
import { type BatchView, TERMINAL } from "../batch-types.js";
import { downloadBedrockResults, isBedrockBatch } from "../bedrock-results.js";
import { runCliAction } from "../cli-action.js";
import { EXIT } from "../cli-errors.js";
import { downloadResults } from "../download-results.js";
import { writeMergedResults } from "../merged-results.js";
import { cursorArg, partialResults } from "../partial-results-command.js";
import { describeProviderJobs, type ProviderJobsView } from "../provider-jobs-summary.js";
import { describeBatch, exitCodeFor, problemTotal, waitForBatch } from "../wait-for-batch.js";
import { positiveInt } from "./prepare.js";

export const withServer = (c: Command) =>
  c
    .option("--url <url>", "Docket server (default $DOCKET_URL or http://127.0.0.1:8080)")
    .option("--api-key <key>", "API key if the server requires one (or $DOCKET_API_KEY)");

const withMaxProblems = (c: Command) =>
  c.option("--max-problems <n>", "validation problems to print", positiveInt, DEFAULT_MAX_PROBLEMS);

/** submit, status, list, results, cancel: the client side of the Batches API. */
export function registerBatchCommands(program: Command): void {
  withMaxProblems(
    withServer(
      program
        .command("submit <file>")
        .description(
          "Upload a batch file (JSONL: OpenAI's, or Bedrock's with --format bedrock) and create a batch",
        )
        .option("-e, --endpoint <endpoint>", "batch endpoint", "/v1/chat/completions")
        .option(
          "--format <format>",
          "input format: openai, or bedrock ({recordId, modelInput} lines)",
          "openai",
        )
        .option("--model <id>", "the model every record runs on (required with --format bedrock)")
        .option("-w, --completion-window <window>", "e.g. 24h, 90m, 30s", "24h")
        .option("-m, --metadata <pairs...>", "key=value pairs kept on the batch")
        .option("--dedup", "send identical deterministic requests once (temperature 0 or a seed)")
        .option("--wait", "wait for the batch to end, showing progress"),
    ),
  ).action((file: string, o) =>
    runCliAction(async () => {
      const metadata = Object.fromEntries(
        ((o.metadata as string[] | undefined) ?? []).map((p) => {
          const i = p.indexOf("=");
          if (i < 1) throw new DocketError("invalid_option", `--metadata expects key=value, got '${p}'.`);
          return [p.slice(0, i), p.slice(i + 1)];
        }),
      );
      const bedrock = bedrockSubmit(o);
      const client = ApiClient.fromOptions(o);
      const uploaded = await client.uploadFile(file, "batch");
      const batch = await client.json<BatchView>("POST", "/v1/batches", {
        input_file_id: uploaded.id,
        ...(bedrock ?? { endpoint: o.endpoint }),
        completion_window: o.completionWindow,
        metadata: Object.keys(metadata).length ? metadata : undefined,
        ...(o.dedup ? { docket_dedup: true } : {}),
      });
      console.log(`${batch.id} created from ${uploaded.id} (${uploaded.bytes} bytes)`);
      if (!o.wait) return EXIT.ok;
      const done = await waitForBatch(client, batch.id);
      console.log(describeBatch(done, o.maxProblems));
      if (done.status === "completed") {
        console.log(
          bedrock
            ? `results: docket results ${done.id} --out results/  (writes the .out file and manifest.json.out)`
            : `results: docket results ${done.id} --out output.jsonl --errors errors.jsonl`,
        );
      }
      return exitCodeFor(done);
    }),
  );

  withMaxProblems(
    withServer(
      program.command("status <id>").description("Show a batch").option("--wait", "wait for it to end"),
    ),
  ).action((id: string, o) =>
    runCliAction(async () => {
      const client = ApiClient.fromOptions(o);
      const b = o.wait
        ? await waitForBatch(client, id)
        : await client.json<BatchView>("GET", `/v1/batches/${encodeURIComponent(id)}`);
      console.log(describeBatch(b, o.maxProblems));
      // Provider batch jobs (issue 13): only a server that has them answers; an older one is skipped.
      const pjs = await client
        .json<ProviderJobsView>("GET", `/v1/batches/${encodeURIComponent(id)}/provider_jobs`)
        .catch(() => null);
      for (const line of pjs ? describeProviderJobs(pjs) : []) console.log(line);
      return o.wait ? exitCodeFor(b) : EXIT.ok;
    }),
  );

  withServer(
    program
      .command("list")
      .description("List batches, newest first")
      .option("-n, --limit <n>", "how many", positiveInt, 20)
      .option("--after <id>", "page after this batch id"),
  ).action((o) =>
    runCliAction(async () => {
      const client = ApiClient.fromOptions(o);
      const q = new URLSearchParams({ limit: String(o.limit) });
      if (o.after) q.set("after", o.after);
      const list = await client.json<{ data: BatchView[]; has_more: boolean }>("GET", `/v1/batches?${q}`);
      for (const b of list.data) {
        const c = b.request_counts;
        console.log(
          `${b.id}  ${b.status.padEnd(11)} ${c.completed}/${c.total} ok ${c.failed} failed  ${new Date(b.created_at * 1000).toISOString()}`,
        );
      }
      if (list.has_more) console.log(`more: docket list --after ${list.data[list.data.length - 1]?.id}`);
      return EXIT.ok;
    }),
  );

  withMaxProblems(
    withServer(
      program
        .command("results <id>")
        .description(
          "Download a batch's output file (and error file; a Bedrock batch's .out and manifest); with --partial or --follow, the lines final so far while it runs",
        )
        .option(
          "-o, --out <file>",
          "write the output file here (default: stdout); for a Bedrock batch, a directory for <input>.out and manifest.json.out",
        )
        .option("--errors <file>", "write the error file here")
        .option("--partial", "while the batch runs: write the lines that are final so far, then stop")
        .option(
          "--follow",
          "like --partial, then keep writing lines as they become final until the batch ends",
        )
        .option("--after <cursor>", "resume --partial/--follow from a cursor it printed (appends)", cursorArg)
        .option("--interval <ms>", "how often --follow polls", positiveInt, 1000)
        .option("--merged", "the whole retry lineage: each request's latest success, else its latest error"),
    ),
  ).action((id: string, o) =>
    runCliAction(async () => {
      const client = ApiClient.fromOptions(o);
      // Docket extension (docs/lineage.md): the lineage merged, read from any batch of it.
      if (o.merged) return writeMergedResults(client, id, o);
      const b = await client.json<BatchView>("GET", `/v1/batches/${encodeURIComponent(id)}`);
      if (o.partial || o.follow || o.after !== undefined) {
        if (b.status === "failed") return explainNoResults(b, o.maxProblems);
        return partialResults(client, b, o);
      }
      if (!b.output_file_id && !b.error_file_id) return explainNoResults(b, o.maxProblems);
      if (isBedrockBatch(b) && o.out) {
        for (const path of await downloadBedrockResults(client, b, o.out)) console.error(`wrote ${path}`);
        return EXIT.ok;
      }
      if (b.output_file_id && !o.out) {
        await pipeline(await client.fileContent(b.output_file_id), process.stdout, { end: false });
      }
      const written = await downloadResults(client, b, o.out ?? null, o.errors ?? null);
      for (const path of [written.output, written.errors]) if (path) console.error(`wrote ${path}`);
      if (isBedrockBatch(b)) {
        console.error(`note: docket results ${b.id} --out DIR/ writes the .out file and manifest.json.out`);
      }
      if (b.error_file_id && !o.errors) {
        console.error(
          `note: ${b.request_counts.failed} failed requests are in ${b.error_file_id} (use --errors FILE)`,
        );
      }
      return EXIT.ok;
    }),
  );

  withServer(program.command("cancel <id>").description("Cancel a batch")).action((id: string, o) =>
    runCliAction(async () => {
      const client = ApiClient.fromOptions(o);
      console.log(
        describeBatch(await client.json<BatchView>("POST", `/v1/batches/${encodeURIComponent(id)}/cancel`)),
      );
      return EXIT.ok;
    }),
  );
}

/** `--format bedrock --model ID` as `POST /v1/batches` fields; null for OpenAI's format. */
function bedrockSubmit(o: { format: string; model?: string }) {
  if (o.format === "openai") return null;
  if (o.format !== "bedrock") {
    throw new DocketError("invalid_option", `--format must be openai or bedrock, got '${o.format}'.`);
  }
  if (!o.model) {
    throw new DocketError(
      "invalid_option",
      "--format bedrock needs --model <id>: a Bedrock batch names its model on the job, not on each line.",
    );
  }
  return { input_format: "bedrock", model: o.model };
}

/**
 * Why a batch has no result files: still running (exit 1: nothing to download yet), failed
 * validation (its problems are the answer; exit 3), or ended before any request finished (exit 3).
 */
function explainNoResults(b: BatchView, maxProblems: number): number {
  if (!TERMINAL.has(b.status)) {
    console.error(
      `error: batch ${b.id} is ${b.status}; its result files are written when it ends (docket status ${b.id} --wait).`,
    );
    return EXIT.usage;
  }
  if (b.status === "failed") {
    const problems = b.errors?.data ?? [];
    const count = problemTotal(b) ?? problems.length;
    if (count === 0) {
      console.error(`batch ${b.id} failed before any request was run, so there is no output.`);
      return EXIT.batchFailed;
    }
    console.error(
      `batch ${b.id} failed validation, so no request was run and there is no output. ` +
        `${count} problem${count === 1 ? "" : "s"} in its input file:`,
    );
    for (const line of formatBatchProblems(problems, maxProblems, count)) console.error(line);
    return EXIT.batchFailed;
  }
  console.error(`batch ${b.id} is ${b.status} and no request had finished, so it has no result files.`);
  return EXIT.batchFailed;
}
