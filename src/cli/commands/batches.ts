import { pipeline } from "node:stream/promises";
import type { Command } from "commander";
import { ApiClient } from "../api-client.js";
import type { BatchView } from "../batch-types.js";
import { downloadResults } from "../download-results.js";
import { describeBatch, exitCodeFor, waitForBatch } from "../wait-for-batch.js";

const withServer = (c: Command) =>
  c
    .option("--url <url>", "Docket server (default $DOCKET_URL or http://127.0.0.1:8080)")
    .option("--api-key <key>", "API key if the server requires one (or $DOCKET_API_KEY)");

/** submit, status, list, results, cancel: the client side of the Batches API. */
export function registerBatchCommands(program: Command): void {
  withServer(
    program
      .command("submit <file>")
      .description("Upload an OpenAI batch file (JSONL) and create a batch")
      .option("-e, --endpoint <endpoint>", "batch endpoint", "/v1/chat/completions")
      .option("-w, --completion-window <window>", "e.g. 24h, 90m, 30s", "24h")
      .option("-m, --metadata <pairs...>", "key=value pairs kept on the batch")
      .option("--wait", "wait for the batch to end, showing progress"),
  ).action(async (file: string, o) => {
    const client = ApiClient.fromOptions(o);
    const uploaded = await client.uploadFile(file, "batch");
    const metadata = Object.fromEntries(
      ((o.metadata as string[] | undefined) ?? []).map((p) => {
        const i = p.indexOf("=");
        if (i < 1) throw new Error(`--metadata expects key=value, got '${p}'`);
        return [p.slice(0, i), p.slice(i + 1)];
      }),
    );
    const batch = await client.json<BatchView>("POST", "/v1/batches", {
      input_file_id: uploaded.id,
      endpoint: o.endpoint,
      completion_window: o.completionWindow,
      metadata: Object.keys(metadata).length ? metadata : undefined,
    });
    console.log(`${batch.id} created from ${uploaded.id} (${uploaded.bytes} bytes)`);
    if (!o.wait) return;
    const done = await waitForBatch(client, batch.id);
    console.log(describeBatch(done));
    if (done.status === "completed")
      console.log(`results: docket results ${done.id} --out output.jsonl --errors errors.jsonl`);
    process.exitCode = exitCodeFor(done);
  });

  withServer(
    program.command("status <id>").description("Show a batch").option("--wait", "wait for it to end"),
  ).action(async (id: string, o) => {
    const client = ApiClient.fromOptions(o);
    const b = o.wait
      ? await waitForBatch(client, id)
      : await client.json<BatchView>("GET", `/v1/batches/${id}`);
    console.log(describeBatch(b));
    if (o.wait) process.exitCode = exitCodeFor(b);
  });

  withServer(
    program
      .command("list")
      .description("List batches, newest first")
      .option("-n, --limit <n>", "how many", (v) => Number.parseInt(v, 10), 20)
      .option("--after <id>", "page after this batch id"),
  ).action(async (o) => {
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
  });

  withServer(
    program
      .command("results <id>")
      .description("Download a batch's output file (and error file)")
      .option("-o, --out <file>", "write the output file here (default: stdout)")
      .option("--errors <file>", "write the error file here"),
  ).action(async (id: string, o) => {
    const client = ApiClient.fromOptions(o);
    const b = await client.json<BatchView>("GET", `/v1/batches/${id}`);
    if (!b.output_file_id && !b.error_file_id) {
      throw new Error(`batch ${id} has no result files yet (status: ${b.status}).`);
    }
    if (b.output_file_id && !o.out) {
      await pipeline(await client.fileContent(b.output_file_id), process.stdout, { end: false });
    }
    const written = await downloadResults(client, b, o.out ?? null, o.errors ?? null);
    for (const path of [written.output, written.errors]) if (path) console.error(`wrote ${path}`);
    if (b.error_file_id && !o.errors) {
      console.error(
        `note: ${b.request_counts.failed} failed requests are in ${b.error_file_id} (use --errors FILE)`,
      );
    }
  });

  withServer(program.command("cancel <id>").description("Cancel a batch")).action(async (id: string, o) => {
    const client = ApiClient.fromOptions(o);
    console.log(describeBatch(await client.json<BatchView>("POST", `/v1/batches/${id}/cancel`)));
  });
}
