import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ApiClient } from "../../src/cli/api-client.js";
import { bench, chatLines } from "../support/bench-docket.js";
import { startFakeProcess } from "../support/fake-process.js";
import { goal } from "../support/goal.js";

const N = 20_000;
/** A run that cannot finish (a broken build, a stuck job) must not hold the whole bench. */
const RUN_LIMIT_MS = 300_000;
/** Another build's entry point (DOCKET_BENCH_BIN) lets two builds be compared in interleaved runs. */
const BIN = process.env.DOCKET_BENCH_BIN ?? resolve(import.meta.dirname, "../../bin/docket.js");

/**
 * 20,000 records through `docket serve` while it is SIGKILLed and restarted every 3 s, against
 * a clean run of the same batch: total time ratio, and records lost or written twice.
 */
export async function benchCrashLoop(): Promise<void> {
  const fake = await startFakeProcess(["--latency-ms", "20"]);
  try {
    const clean = await run(fake.url, null);
    const crashing = await run(fake.url, 3000);
    const restartMs = median(crashing.restarts);
    console.log(
      `  clean ${(clean.ms / 1000).toFixed(1)} s; with a SIGKILL every 3 s (${crashing.kills} kills) ${(crashing.ms / 1000).toFixed(1)} s; a restart (kill to listening) ${restartMs.toFixed(0)} ms (median)`,
    );
    bench("crash-loop", {
      records: N,
      kills: crashing.kills,
      time_ratio: crashing.ms / clean.ms,
      // Each kill's own cost: the dead process's exit, then a new one's start-up until it listens.
      restart_ms_median: restartMs,
      lost: crashing.lost,
      duplicated: crashing.duplicated,
    });
    goal({
      name: "crash-loop.time_vs_clean",
      value: crashing.ms / clean.ms,
      atMost: 1.1,
      unit: "×",
      what: `${N} records, SIGKILL every 3 s (${crashing.kills} kills) ÷ a clean run`,
    });
    goal({
      name: "crash-loop.lost_or_duplicated",
      value: crashing.lost + crashing.duplicated,
      atMost: 0,
      what: "records lost + written twice across the kills",
    });
  } finally {
    await fake.close();
  }
}

async function run(backendUrl: string, killEveryMs: number | null) {
  const dir = mkdtempSync(join(tmpdir(), "docket-crashloop-"));
  const config = join(dir, "docket.config.json");
  writeFileSync(
    config,
    JSON.stringify({
      routes: [
        { name: "fake", models: ["*"], backend: { type: "openai", baseUrl: backendUrl }, concurrency: 32 },
      ],
    }),
  );
  const lines = chatLines(N);
  writeFileSync(join(dir, "in.jsonl"), `${lines.join("\n")}\n`);
  const args = [BIN, "serve", "--port", "0", "--data-dir", join(dir, "data"), "--config", config];
  let server = await start(args);
  try {
    const first = new ApiClient(server.url);
    const file = await first.uploadFile(join(dir, "in.jsonl"), "batch");
    const t0 = Date.now();
    const batch = await first.json<{ id: string }>("POST", "/v1/batches", {
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
    });
    let kills = 0;
    const restarts: number[] = [];
    let lastKill = Date.now();
    for (;;) {
      const b = await new ApiClient(server.url).json<{
        status: string;
        output_file_id: string;
        errors?: { data?: Array<{ message?: string }> } | null;
      }>("GET", `/v1/batches/${batch.id}`);
      if (["failed", "expired", "cancelled"].includes(b.status)) {
        // Why, so that a run that fails (e.g. validation killed more often than it may restart) says so.
        const why = b.errors?.data?.map((e) => e.message).join("; ");
        throw new Error(`the batch ended ${b.status}, not completed${why ? `: ${why}` : ""}`);
      }
      if (Date.now() - t0 > RUN_LIMIT_MS)
        throw new Error(`the batch is ${b.status} after ${RUN_LIMIT_MS} ms`);
      if (b.status === "completed") {
        const ms = Date.now() - t0;
        const text = await (await new ApiClient(server.url).fileContent(b.output_file_id)).text();
        const ids = text
          .split("\n")
          .filter(Boolean)
          .map((l) => (JSON.parse(l) as { custom_id: string }).custom_id);
        const unique = new Set(ids);
        return { ms, kills, restarts, lost: N - unique.size, duplicated: ids.length - unique.size };
      }
      if (killEveryMs !== null && Date.now() - lastKill >= killEveryMs) {
        const killedAt = Date.now();
        await stopProcess(server.proc, "SIGKILL");
        kills++;
        server = await start(args);
        lastKill = Date.now();
        restarts.push(lastKill - killedAt);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await stopProcess(server.proc, "SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Signals the process and waits for its exit: one that already exited is not waited for, and one
 * that does not finish its graceful stop within 10 s is killed.
 */
async function stopProcess(proc: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once("exit", r));
  proc.kill(signal);
  const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

async function start(args: string[]): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((res, rej) => {
    let out = "";
    proc.stdout!.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) res(m[1]!);
    });
    proc.once("exit", (code) => rej(new Error(`docket serve exited with ${code}: ${out}`)));
  });
  return { url, proc };
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
