import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { Pool } from "undici";
import { OpenAICompatibleBackend } from "../../src/backends/openai-compatible/openai-compatible-backend.js";
import { bench, chatLines, percentile, startBenchDocket } from "../support/bench-docket.js";
import { goal } from "../support/goal.js";

const ROUNDS = 3000;
const PICKUPS = 40;

/**
 * (1) Added latency per request: one request at a time through Docket's backend path
 * (OpenAICompatibleBackend: pooling, timeouts, classification, usage) against raw undici to
 * the same loopback server, interleaved so both see the same machine state.
 * (2) Pickup: from `POST /v1/batches` of a one-line file on an idle server to the request
 * arriving at the backend (validation, claim, dispatch; no polling delay allowed).
 */
export async function benchLatency(): Promise<void> {
  const arrivals: number[] = [];
  const server = await startEchoServer(arrivals);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  try {
    await addedLatency(base);
    await pickupLatency(base, arrivals);
  } finally {
    server.close();
  }
}

async function addedLatency(base: string): Promise<void> {
  const body = JSON.stringify({ model: "m", max_tokens: 8, messages: [{ role: "user", content: "hello" }] });
  const backend = new OpenAICompatibleBackend({ baseUrl: base, concurrency: 4, timeoutMs: 10_000 });
  const pool = new Pool(new URL(base).origin, { connections: 4 });
  const direct: number[] = [];
  const via: number[] = [];
  for (let i = 0; i < ROUNDS + 200; i++) {
    let t = performance.now();
    const res = await pool.request({
      path: "/v1/chat/completions",
      method: "POST",
      body,
      headers: { "content-type": "application/json" },
    });
    await res.body.text();
    const d = performance.now() - t;
    t = performance.now();
    const r = await backend.send({ endpoint: "/v1/chat/completions", body });
    const v = performance.now() - t;
    if (!r.ok) throw new Error(`backend failed: ${r.message}`);
    if (i >= 200) {
      direct.push(d);
      via.push(v);
    }
  }
  await backend.close();
  await pool.close();
  direct.sort((a, b) => a - b);
  via.sort((a, b) => a - b);
  const p = (xs: number[], q: number) => percentile(xs, q);
  console.log(
    `  direct undici p50 ${p(direct, 50).toFixed(3)} ms p99 ${p(direct, 99).toFixed(3)} ms; through Docket's backend p50 ${p(via, 50).toFixed(3)} ms p99 ${p(via, 99).toFixed(3)} ms`,
  );
  bench("latency-added", {
    added_p50_ms: p(via, 50) - p(direct, 50),
    added_p99_ms: p(via, 99) - p(direct, 99),
    direct_p50_ms: p(direct, 50),
  });
  goal({
    name: "latency.added_p50_ms",
    value: p(via, 50) - p(direct, 50),
    atMost: 0.5,
    unit: "ms",
    what: "Docket's backend path over raw undici, one request at a time",
  });
  goal({ name: "latency.added_p99_ms", value: p(via, 99) - p(direct, 99), atMost: 2, unit: "ms" });
}

async function pickupLatency(base: string, arrivals: number[]): Promise<void> {
  const d = await startBenchDocket({ backendUrl: base, concurrency: 4 });
  try {
    const samples: number[] = [];
    for (let i = 0; i < PICKUPS; i++) {
      const file = await uploadOne(d, i);
      await new Promise((r) => setTimeout(r, 50)); // idle server
      arrivals.length = 0;
      const t = performance.now();
      const batch = await d.client.json<{ id: string }>("POST", "/v1/batches", {
        input_file_id: file,
        endpoint: "/v1/chat/completions",
        completion_window: "24h",
      });
      while (arrivals.length === 0) await new Promise((r) => setImmediate(r));
      samples.push(arrivals[0]! - t);
      await d.waitFor(batch.id, ["completed"]);
    }
    samples.sort((a, b) => a - b);
    console.log(
      `  pickup p50 ${percentile(samples, 50).toFixed(2)} ms, p99 ${percentile(samples, 99).toFixed(2)} ms`,
    );
    bench("latency-pickup", {
      pickup_p50_ms: percentile(samples, 50),
      pickup_max_ms: samples[samples.length - 1]!,
    });
    goal({
      name: "latency.pickup_p50_ms",
      value: percentile(samples, 50),
      atMost: 2,
      unit: "ms",
      what: `POST /v1/batches on an idle server → first request at the backend (max ${samples[samples.length - 1]!.toFixed(1)} ms)`,
    });
  } finally {
    await d.close();
  }
}

async function uploadOne(d: Awaited<ReturnType<typeof startBenchDocket>>, i: number): Promise<string> {
  const { writeFileSync } = await import("node:fs");
  const path = `${d.dir}/one-${i}.jsonl`;
  writeFileSync(path, `${chatLines(1, `p${i}`)[0]}\n`);
  return (await d.client.uploadFile(path, "batch")).id;
}

/** A minimal OpenAI-shaped server that notes when each request arrives. */
function startEchoServer(arrivals: number[]): Promise<Server> {
  const answer = JSON.stringify({
    id: "x",
    object: "chat.completion",
    created: 0,
    model: "m",
    choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }],
    usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
  });
  const server = createServer((req, res) => {
    arrivals.push(performance.now());
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(answer) });
      res.end(answer);
    });
  });
  return new Promise((r) => server.listen(0, "127.0.0.1", () => r(server)));
}
