import { spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type FakeBackend, startFakeBackend } from "../../src/backends/fake/fake-backend-server.js";
import { ApiClient } from "../../src/cli/api-client.js";
import { linkToMetadata } from "../../src/cli/export/dataset-link.js";
import { defaultConfig } from "../../src/config/config.js";
import { type RunningDocket, startEmbedded } from "../../src/runtime/embedded.js";

/**
 * A finished job of `rows` records with a JSON-schema answer, made the way `docket run` makes one
 * (a CSV dataset, one request per row with the row's id as custom_id, the dataset and template
 * recorded in the batch's metadata) but submitted directly, without prepare's token counting, so
 * a million rows take minutes: for the Parquet export's memory test and bench.
 */
export interface FinishedJob {
  dir: string;
  dataset: string;
  url: string;
  batchId: string;
  rows: number;
  close(): Promise<void>;
}

export const SCHEMA_PROPERTIES = {
  topic: { type: "string" },
  urgency: { type: "integer" },
  score: { type: "number" },
  escalate: { type: "boolean" },
  tags: { type: "array", items: { type: "string" } },
};

/** Row i of the dataset: quotes, a comma, a line break and non-ASCII text now and then. */
export function datasetRow(i: number): { id: string; customer: string; text: string } {
  const text =
    i % 97 === 0
      ? `Router "blinks" red,\nthen dies (#${i})`
      : i % 31 === 0
        ? `Facture erronée — deux fois 😀 (#${i})`
        : `Ticket ${i}: the app logs me out after ${i % 60} minutes, please help`;
  return { id: `t${i}`, customer: `Customer ${i % 997}`, text };
}

const csvCell = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

export async function finishedJob(rows: number, o: { timeoutMs?: number } = {}): Promise<FinishedJob> {
  const dir = mkdtempSync(join(tmpdir(), "docket-export-parquet-"));
  let fake: FakeBackend | null = null;
  let docket: RunningDocket | null = null;
  const close = async () => {
    await docket?.close({ graceMs: 1000 });
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    fake = await startFakeBackend({ outputTokens: 16 });
    const config = defaultConfig();
    config.dataDir = join(dir, "data");
    config.server.port = 0;
    config.server.maxUploadBytes = 4 * 1024 ** 3;
    config.routes = [
      {
        name: "fake",
        models: ["*"],
        backend: { type: "openai", baseUrl: fake.url },
        concurrency: 64,
        timeoutMs: 60_000,
        maxAttempts: 12,
      },
    ];
    docket = await startEmbedded(config);
    const template = join(dir, "ticket.template.json");
    const responseFormat = {
      type: "json_schema",
      json_schema: { name: "ticket", schema: { type: "object", properties: SCHEMA_PROPERTIES } },
    };
    writeFileSync(
      template,
      JSON.stringify({
        model: "fake-dummy",
        user: "{{customer}}: {{text}}",
        response_format: responseFormat,
      }),
    );
    const dataset = join(dir, "tickets.csv");
    const requests = join(dir, "requests.jsonl");
    await writeLines(dataset, requests, rows, responseFormat);
    const client = new ApiClient(docket.url);
    const file = await client.uploadFile(requests, "batch");
    const { metadata } = linkToMetadata({ dataset, format: "csv", idField: "id", template });
    const batch = await client.json<{ id: string }>("POST", "/v1/batches", {
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
      metadata,
    });
    await waitUntilDone(client, batch.id, o.timeoutMs ?? 600_000);
    return { dir, dataset, url: docket.url, batchId: batch.id, rows, close };
  } catch (e) {
    await close();
    throw e;
  }
}

async function writeLines(dataset: string, requests: string, rows: number, responseFormat: unknown) {
  const csv = createWriteStream(dataset);
  const jsonl = createWriteStream(requests);
  let a = "id,customer,text\n";
  let b = "";
  for (let i = 0; i < rows; i++) {
    const row = datasetRow(i);
    a += `${row.id},${csvCell(row.customer)},${csvCell(row.text)}\n`;
    b += `${JSON.stringify({
      custom_id: row.id,
      method: "POST",
      url: "/v1/chat/completions",
      body: {
        model: "fake-dummy",
        max_tokens: 40,
        messages: [{ role: "user", content: `${row.customer}: ${row.text}` }],
        response_format: responseFormat,
      },
    })}\n`;
    if (a.length > 1 << 20 || i === rows - 1) {
      if (!csv.write(a)) await once(csv, "drain");
      if (!jsonl.write(b)) await once(jsonl, "drain");
      a = "";
      b = "";
    }
  }
  csv.end();
  jsonl.end();
  await Promise.all([once(csv, "close"), once(jsonl, "close")]);
}

async function waitUntilDone(client: ApiClient, id: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const b = await client.json<{ status: string }>("GET", `/v1/batches/${id}`);
    if (b.status === "completed") return;
    if (["failed", "expired", "cancelled"].includes(b.status))
      throw new Error(`batch ${id} ended ${b.status}`);
    if (Date.now() > deadline) throw new Error(`batch ${id} still ${b.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface ChildRun {
  code: number | null;
  output: string;
  seconds: number;
  cpuSeconds: number;
  /** The child's VmHWM: its peak resident set, read from /proc while it runs. */
  peakRssMb: number;
}

/** `docket ARGS` as a user runs it (the built CLI, no node flags) in a child process, measured. */
export async function docketInChild(args: string[], limitMs: number): Promise<ChildRun> {
  const bin = process.env.DOCKET_BENCH_BIN ?? resolve(import.meta.dirname, "../../bin/docket.js");
  const start = performance.now();
  const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => {
    output += s;
  });
  child.stderr.setEncoding("utf8").on("data", (s: string) => {
    output += s;
  });
  let peakKb = 0;
  let cpuTicks = 0;
  const sample = async () => {
    const [status, stat] = await Promise.all([
      readFile(`/proc/${child.pid}/status`, "utf8").catch(() => ""),
      readFile(`/proc/${child.pid}/stat`, "utf8").catch(() => ""),
    ]);
    peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields.length > 13) cpuTicks = Math.max(cpuTicks, Number(fields[11]) + Number(fields[12]));
  };
  const poll = setInterval(sample, 20);
  const killer = setTimeout(() => child.kill("SIGKILL"), limitMs);
  const [code] = (await once(child, "exit")) as [number | null];
  clearInterval(poll);
  clearTimeout(killer);
  return {
    code,
    output,
    seconds: (performance.now() - start) / 1000,
    cpuSeconds: cpuTicks / 100, // USER_HZ
    peakRssMb: peakKb / 1024,
  };
}
