import { mkdir, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { InvalidArgumentError } from "commander";
import type { ApiClient } from "./api-client.js";
import type { BatchView } from "./batch-types.js";
import { isBedrockBatch } from "./bedrock-results.js";
import { EXIT } from "./cli-errors.js";
import { copyPartialResults, fileSink, type LineSink, stdoutSink } from "./follow-results.js";

/** Records per page: the CLI holds one page in memory before writing it. */
const PAGE_LIMIT = 500;

export interface PartialResultsOptions {
  out?: string;
  errors?: string;
  follow?: boolean;
  after?: number;
  interval: number;
}

/** `--after <cursor>`: a whole number from 0 (a cursor printed by an earlier run). */
export const cursorArg = (value: string): number => {
  if (!/^\d{1,10}$/.test(value)) throw new InvalidArgumentError("must be a cursor (a whole number from 0).");
  return Number(value);
};

/**
 * `docket results <id> --partial | --follow [--after <cursor>]`: writes the lines that are final so
 * far (docs/partial-results.md) to --out (or stdout) and --errors, appending when resuming; with
 * --follow, keeps polling until the batch ends and exits 0 with the files complete. It ends by
 * printing the cursor reached on stderr, so a stopped copy resumes with --after and never
 * writes a line twice.
 */
export async function partialResults(
  client: ApiClient,
  b: BatchView,
  o: PartialResultsOptions,
): Promise<number> {
  const append = o.after !== undefined;
  const outPath = o.out ? await outputPath(client, b, o.out) : null;
  const output: LineSink = outPath ? await fileSink(outPath, append) : stdoutSink();
  const errors = o.errors ? await fileSink(o.errors, append) : null;
  let stop = false;
  const onSignal = () => {
    if (stop) process.exit(130);
    stop = true;
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const done = await copyPartialResults(client, b.id, {
      after: o.after ?? 0,
      limit: PAGE_LIMIT,
      follow: o.follow === true,
      intervalMs: o.interval,
      output,
      errors,
      stopRequested: () => stop,
    });
    for (const path of [outPath, o.errors]) if (path) console.error(`wrote ${path}`);
    if (done.complete) {
      console.error(`cursor ${done.cursor}: batch ${b.id} has ended and every line is written.`);
      const now = await client.json<BatchView>("GET", `/v1/batches/${encodeURIComponent(b.id)}`);
      if (now.status !== "failed") return EXIT.ok;
      console.error(`batch ${b.id} failed, so it has no results: docket status ${b.id} shows why.`);
      return EXIT.batchFailed;
    }
    console.error(
      `cursor ${done.cursor}: batch ${b.id} is still running; continue with: docket results ${b.id} --follow --after ${done.cursor}` +
        (o.out || o.errors ? " (with the same --out/--errors: it appends)" : ""),
    );
    return stop ? 130 : EXIT.ok;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await output.close();
    await errors?.close();
  }
}

/**
 * Where the output lines go: --out as a file, except for a Bedrock batch whose --out is a
 * directory (as for its finished results), which gets `<input file name>.out` inside it.
 */
async function outputPath(client: ApiClient, b: BatchView, out: string): Promise<string> {
  if (!isBedrockBatch(b)) return out;
  const isDir = out.endsWith("/") || (await stat(out).catch(() => null))?.isDirectory() === true;
  if (!isDir) return out;
  await mkdir(out, { recursive: true });
  const input = await client.json<{ filename: string }>(
    "GET",
    `/v1/files/${encodeURIComponent(b.input_file_id)}`,
  );
  return join(out, `${basename(input.filename) || b.id}.out`);
}
