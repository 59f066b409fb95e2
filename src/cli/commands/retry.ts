import type { Command } from "commander";
import { ApiClient } from "../api-client.js";
import { DEFAULT_MAX_PROBLEMS } from "../batch-problems.js";
import type { BatchView } from "../batch-types.js";
import { runCliAction } from "../cli-action.js";
import { EXIT } from "../cli-errors.js";
import { commaList, parseSetPairs, readIdsFile } from "../retry-options.js";
import { positiveUsd } from "../usd-option.js";
import { describeBatch, exitCodeFor, waitForBatch } from "../wait-for-batch.js";
import { withServer } from "./batches.js";
import { positiveInt } from "./prepare.js";

/** The answer to `POST /v1/batches/{id}/retry`: the child batch and what the selection took. */
export interface RetryView extends BatchView {
  parent_batch_id: string | null;
  docket_retry: { records: number; reasons: Record<string, number>; scope: string };
}

interface RetryCliOptions {
  only?: string;
  errorCodes?: string;
  idsFile?: string;
  set?: string[];
  route?: string;
  lineage?: boolean;
  completionWindow?: string;
  /** Each unset: the parent's (a child inherits its budget and dedup/cache choice). */
  budget?: number;
  dedup?: boolean;
  cache?: boolean;
  wait?: boolean;
  maxProblems: number;
  url?: string;
  apiKey?: string;
}

const mergedHint = (child: RetryView) =>
  `Merged results: docket results ${child.id} --merged --out results.jsonl`;

/**
 * A child batch just created: with `wait`, waits for it to end and describes it (the ended batch
 * is returned); without, says how to follow it (null). For `docket retry` and `docket run --resume`.
 */
export async function followRetry(
  client: ApiClient,
  child: RetryView,
  o: { wait?: boolean; maxProblems: number },
): Promise<BatchView | null> {
  if (!o.wait) {
    console.log(`Follow it: docket status ${child.id} --wait`);
    console.log(mergedHint(child));
    return null;
  }
  const done = await waitForBatch(client, child.id);
  console.log(describeBatch(done, o.maxProblems));
  return done;
}

/**
 * `docket retry batch_… --only failed,expired --set max_tokens=2048 --wait`: a child batch of the
 * selected requests, with their ids and bodies (and the fields `--set` changes), that names its
 * parent (docs/lineage.md). `docket results <id> --merged` then reads the lineage as one output.
 */
export function registerRetryCommand(program: Command): void {
  withServer(
    program
      .command("retry <id>")
      .description(
        "Retry some requests of an ended batch as a new child batch (failed, expired, truncated, ids …)",
      )
      .option(
        "--only <reasons>",
        "comma-separated: failed, expired, cancelled, truncated (stopped at max_tokens)",
      )
      .option("--error-codes <codes>", "comma-separated error codes, e.g. http_429,context_length_exceeded")
      .option("--ids-file <file>", "custom ids to retry, one per line")
      .option("--set <name=value...>", "set a top-level body field on every retried request (JSON or text)")
      .option("--route <name>", "send the retried requests to this route instead of their model's")
      .option("--lineage", "choose across the whole lineage: each request's latest result, not this batch's")
      .option("-w, --completion-window <window>", "e.g. 24h (default: the parent's)")
      .option(
        "--budget <usd>",
        "the child's own spending cap in US dollars (default: the parent's)",
        positiveUsd,
      )
      .option("--dedup", "send identical deterministic requests once (default: as the parent)")
      .option("--no-dedup", "send every request, even identical ones (default: as the parent)")
      .option(
        "--cache",
        "undo a parent's --no-cache (the cache is still the operator's to enable; default: as the parent)",
      )
      .option("--no-cache", "do not use the response cache (default: as the parent)")
      .option("--wait", "wait for the child batch to end, showing progress")
      .option("--max-problems <n>", "validation problems to print", positiveInt, DEFAULT_MAX_PROBLEMS),
  ).action((id: string, o: RetryCliOptions) =>
    runCliAction(async () => {
      const client = ApiClient.fromOptions(o);
      const body = {
        ...(o.only ? { only: commaList(o.only) } : {}),
        ...(o.errorCodes ? { error_codes: commaList(o.errorCodes) } : {}),
        ...(o.idsFile ? { ids: await readIdsFile(o.idsFile) } : {}),
        ...(o.set?.length ? { overrides: parseSetPairs(o.set) } : {}),
        ...(o.route ? { route: o.route } : {}),
        ...(o.lineage ? { scope: "lineage" } : {}),
        ...(o.completionWindow ? { completion_window: o.completionWindow } : {}),
        ...(o.budget !== undefined ? { docket_budget_usd: o.budget } : {}),
        ...(o.dedup !== undefined ? { docket_dedup: o.dedup } : {}),
        ...(o.cache !== undefined ? { docket_cache: o.cache } : {}),
      };
      const child = await client.json<RetryView>("POST", `/v1/batches/${encodeURIComponent(id)}/retry`, body);
      const reasons = Object.entries(child.docket_retry.reasons)
        .map(([why, n]) => `${n} ${why}`)
        .join(", ");
      console.log(`${child.id} created from ${id}: ${child.docket_retry.records} requests (${reasons})`);
      const done = await followRetry(client, child, o);
      if (!done) return EXIT.ok;
      console.log(mergedHint(child));
      return exitCodeFor(done);
    }),
  );
}
