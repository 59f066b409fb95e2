import { existsSync, mkdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import type { RouteConfig } from "../../config/config.js";
import { defaultConfig } from "../../config/config.js";
import { createDummyModel, DUMMY_MODEL_DESCRIPTION } from "../../gguf/create-dummy-model.js";
import { DEFAULT_WEB_ROOT } from "../../http/static-assets.js";
import { startEmbedded } from "../../runtime/embedded.js";
import { ApiClient } from "../api-client.js";
import { downloadResults } from "../download-results.js";
import { describeBatch, exitCodeFor, waitForBatch } from "../wait-for-batch.js";

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const SAMPLE = join(PACKAGE_ROOT, "examples/call-center/requests.jsonl");

/**
 * The Quick start's main job, end to end on the embedded default with no network: SQLite and
 * the local disk, the in-process llama.cpp engine on a dummy model made on first use, and the
 * shipped sample of 50 call transcripts to summarise, submitted through Docket's own API.
 */
export function registerDemoCommand(program: Command): void {
  program
    .command("demo")
    .description("Run the sample job (50 call transcripts → summaries) end to end, offline")
    .option("-d, --data-dir <dir>", "where the database, files and model live", ".docket-demo")
    .option("--model <file.gguf>", "a real GGUF model instead of the dummy one")
    .option(
      "--backend <url>",
      "an OpenAI-compatible server instead of the local engine, e.g. http://127.0.0.1:8000/v1",
    )
    .option("--input <file.jsonl>", "an OpenAI batch file instead of the shipped sample", SAMPLE)
    .option("--keep", "keep serving after the job (look at it in the dashboard) until Ctrl-C")
    .action((o: DemoOptions) => runDemo(o));
}

export interface DemoOptions {
  dataDir: string;
  model?: string;
  backend?: string;
  input: string;
  keep?: boolean;
}

/**
 * The demo itself. `untilStopped` is what `--keep` waits for after the job (default: Ctrl-C or
 * SIGTERM); tests pass their own.
 */
export async function runDemo(
  o: DemoOptions,
  hooks: { untilStopped?: () => Promise<void> } = {},
): Promise<void> {
  const dataDir = resolve(o.dataDir);
  const route = await demoRoute(dataDir, o.model, o.backend);
  const config = defaultConfig();
  config.dataDir = dataDir;
  config.server.port = 0;
  config.routes = [route];
  const docket = await startEmbedded(config);
  try {
    console.log(`docket is serving ${docket.url} (SQLite in ${dataDir})`);
    console.log(
      `dashboard: ${docket.url}/${dashboardBuilt() ? "" : "  (not built here: run npm run build)"}`,
    );
    const client = new ApiClient(docket.url);
    const file = await client.uploadFile(o.input, "batch");
    const batch = await client.json<{ id: string }>("POST", "/v1/batches", {
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
    });
    console.log(`submitted ${o.input} as ${batch.id}`);
    const done = await waitForBatch(client, batch.id, 200);
    console.log(describeBatch(done));
    const outDir = join(dataDir, "results");
    const paths = await downloadResults(
      client,
      done,
      join(outDir, `${done.id}_output.jsonl`),
      join(outDir, `${done.id}_errors.jsonl`),
    );
    console.log("");
    if (paths.output) console.log(`output:  ${paths.output}`);
    if (paths.errors) console.log(`errors:  ${paths.errors}`);
    if (!o.model && !o.backend) {
      console.log(`\nnote: ${DUMMY_MODEL_DESCRIPTION}`);
      console.log("For real answers, run the same job on a real model:");
      console.log(
        "  npx docket demo --model /path/to/model.gguf            (any llama.cpp GGUF, e.g. Qwen, Llama)",
      );
      console.log(
        "  npx docket demo --backend http://127.0.0.1:8000/v1     (vLLM, Ollama, llama.cpp server, OpenAI)",
      );
    }
    process.exitCode = exitCodeFor(done);
    if (o.keep) {
      console.log(`\nkeeping docket up: the dashboard is at ${docket.url}/ — press Ctrl-C to stop`);
      await (hooks.untilStopped ?? untilSignal)();
    }
  } finally {
    await docket.close({ graceMs: 1000 });
  }
}

function dashboardBuilt(): boolean {
  return existsSync(join(DEFAULT_WEB_ROOT, "index.html"));
}

/** Resolves on the first SIGINT or SIGTERM (the demo then closes as usual). */
function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

async function demoRoute(dataDir: string, model?: string, backend?: string): Promise<RouteConfig> {
  const common = { name: "demo", models: ["*"], timeoutMs: 600_000, maxAttempts: 3 };
  if (backend) return { ...common, backend: { type: "openai", baseUrl: backend }, concurrency: 8 };
  let modelPath = model ? resolve(model) : join(dataDir, "models", "dummy-small.gguf");
  if (!model && !existsSync(modelPath)) {
    mkdirSync(dirname(modelPath), { recursive: true });
    console.log(`creating a dummy model at ${modelPath} (first run only)…`);
    await createDummyModel(modelPath, { size: "small", seed: 1 });
  }
  if (model && !existsSync(modelPath)) throw new Error(`model file not found: ${modelPath}`);
  modelPath = resolve(modelPath);
  const contexts = availableParallelism();
  return { ...common, backend: { type: "llamacpp", model: modelPath, contexts }, concurrency: contexts };
}
