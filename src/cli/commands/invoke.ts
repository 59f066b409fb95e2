import { createReadStream, createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import type { Command } from "commander";
import { DocketError } from "../../domain/errors.js";
import { ApiClient, ApiError, errorMessage } from "../api-client.js";
import { modelFromBodyFile } from "../body-model.js";
import { runCliAction } from "../cli-action.js";
import { EXIT } from "../cli-errors.js";
import { followJobEvents } from "../event-stream.js";
import { requireFile } from "../require-file.js";

/** The subset of the API's `async_invocation` object the CLI reads. */
export interface InvocationView {
  id: string;
  inference_id: string;
  status: string;
  error: { code: string; message: string } | null;
  status_url: string;
  output_location: string;
  failure_location: string;
}

const ENDED = new Set(["succeeded", "failed", "cancelled"]);

/**
 * `docket invoke FILE [--model M]`: one async invocation, its payload streamed from the file.
 * The model is the body's own top-level "model" unless --model names another.
 */
export function registerInvokeCommand(program: Command): void {
  program
    .command("invoke <file>")
    .description("Submit FILE as the body of one async invocation (streamed; up to GBs)")
    .option("-m, --model <model>", 'model to run it on (default: the body\'s "model"; a route must serve it)')
    .option("-e, --endpoint <endpoint>", "the endpoint FILE is a request body for", "/v1/chat/completions")
    .option("--inference-id <id>", "your id for it: submitting the same id again returns the same invocation")
    .option("--ttl <seconds>", "fail with request_ttl_expired if not started within this long")
    .option("--timeout <seconds>", "fail with invocation_timeout if an attempt runs longer")
    .option("--custom-attributes <text>", "passed through to the backend (X-Docket-Custom-Attributes)")
    .option("--webhook <url>", "POST invocation.succeeded / invocation.failed here")
    .option("--wait", "wait for the result and print it (or save it with --out)")
    .option("-o, --out <file>", "with --wait, write the output here instead of stdout")
    .option("--url <url>", "Docket server (default $DOCKET_URL or http://127.0.0.1:8080)")
    .option("--api-key <key>", "API key if the server requires one (or $DOCKET_API_KEY)")
    .action((file: string, o) => runCliAction(() => invoke(file, o)));
}

interface InvokeOptions {
  model?: string;
  endpoint: string;
  inferenceId?: string;
  ttl?: string;
  timeout?: string;
  customAttributes?: string;
  webhook?: string;
  wait?: boolean;
  out?: string;
  url?: string;
  apiKey?: string;
}

async function invoke(file: string, o: InvokeOptions): Promise<number> {
  const size = await requireFile(file, { role: "the request body" });
  const model = o.model ?? (await modelFromBodyFile(file));
  if (!model) {
    throw new DocketError(
      "model_required",
      `${file} names no "model" at its top level: pass --model NAME (a model a route serves).`,
    );
  }
  const client = ApiClient.fromOptions(o);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "content-length": String(size),
    "x-docket-model": model,
    "x-docket-endpoint": o.endpoint,
  };
  if (o.inferenceId) headers["x-docket-inference-id"] = o.inferenceId;
  if (o.ttl) headers["x-docket-request-ttl-seconds"] = String(o.ttl);
  if (o.timeout) headers["x-docket-invocation-timeout-seconds"] = String(o.timeout);
  if (o.customAttributes) headers["x-docket-custom-attributes"] = o.customAttributes;
  if (o.webhook) headers["x-docket-webhook-url"] = o.webhook;
  const res = await client.request("POST", "/v1/async/invocations", {
    body: createReadStream(file),
    headers,
  });
  const text = await res.body.text();
  if (res.statusCode >= 400) throw new ApiError(res.statusCode, errorMessage(text));
  let inv = JSON.parse(text) as InvocationView;
  const again = res.statusCode === 200 ? " (already submitted with this inference id)" : "";
  console.log(`${inv.id} ${inv.status}${again}, ${size} bytes`);
  console.error(`  status: ${inv.status_url}\n  output: ${inv.output_location}`);
  if (!o.wait) return EXIT.ok;
  inv = await waitForInvocation(client, inv);
  return printResult(client, inv, o.out ?? null);
}

async function waitForInvocation(client: ApiClient, inv: InvocationView): Promise<InvocationView> {
  const path = `/v1/async/invocations/${encodeURIComponent(inv.id)}`;
  let last = inv.status;
  const show = (v: InvocationView) => {
    if (v.status !== last) console.error(`${v.id} ${v.status}`);
    last = v.status;
  };
  const streamed = await followJobEvents<InvocationView>(client, `${path}/events`, show);
  if (streamed && ENDED.has(streamed.status)) return streamed;
  for (;;) {
    const v = await client.json<InvocationView>("GET", path);
    show(v);
    if (ENDED.has(v.status)) return v;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Prints (or saves) the output; a failed or cancelled invocation prints its error: exit 3. */
async function printResult(client: ApiClient, inv: InvocationView, out: string | null): Promise<number> {
  const path = `/v1/async/invocations/${encodeURIComponent(inv.id)}`;
  if (inv.status !== "succeeded") {
    const res = await client.request("GET", `${path}/failure`);
    const body = await res.body.text();
    console.error(`${inv.id} ${inv.status}: ${inv.error ? `${inv.error.code}: ${inv.error.message}` : body}`);
    return EXIT.batchFailed;
  }
  const res = await client.request("GET", `${path}/output`);
  if (res.statusCode >= 400) throw new ApiError(res.statusCode, errorMessage(await res.body.text()));
  if (out) {
    await pipeline(res.body, createWriteStream(out));
    console.error(`wrote ${out}`);
  } else {
    await pipeline(res.body, process.stdout, { end: false });
    process.stdout.write("\n");
  }
  return EXIT.ok;
}
