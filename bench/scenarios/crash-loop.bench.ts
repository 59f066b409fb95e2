import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ApiClient } from "../../src/cli/api-client.js";
import { bench, chatLines } from "../support/bench-docket.js";
import { startFakeProcess } from "../support/fake-process.js";

const N = 20_000;
const BIN = resolve(import.meta.dirname, "../../bin/docket.js");

/**
 * 20,000 records through `docket serve` while it is SIGKILLed and restarted every 3 s, against
 * a clean run of the same batch: total time ratio, and records lost or written twice.
 */
export async function benchCrashLoop(): Promise<void> {
  const fake = await startFakeProcess(["--latency-ms", "20"]);
  try {
    const clean = await run(fake.url, null);
    const crashing = await run(fake.url, 3000);
    console.log(
      `  clean ${(clean.ms / 1000).toFixed(1)} s; with a SIGKILL every 3 s (${crashing.kills} kills) ${(crashing.ms / 1000).toFixed(1)} s`,
    );
    bench("crash-loop", {
      records: N,
      kills: crashing.kills,
      time_ratio: crashing.ms / clean.ms,
      goal: 1.3,
      lost: crashing.lost,
      duplicated: crashing.duplicated,
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
    let lastKill = Date.now();
    for (;;) {
      const b = await new ApiClient(server.url).json<{ status: string; output_file_id: string }>(
        "GET",
        `/v1/batches/${batch.id}`,
      );
      if (b.status === "completed") {
        const ms = Date.now() - t0;
        const text = await (await new ApiClient(server.url).fileContent(b.output_file_id)).text();
        const ids = text
          .split("\n")
          .filter(Boolean)
          .map((l) => (JSON.parse(l) as { custom_id: string }).custom_id);
        const unique = new Set(ids);
        return { ms, kills, lost: N - unique.size, duplicated: ids.length - unique.size };
      }
      if (killEveryMs !== null && Date.now() - lastKill >= killEveryMs) {
        server.proc.kill("SIGKILL");
        await new Promise((r) => server.proc.once("exit", r));
        kills++;
        server = await start(args);
        lastKill = Date.now();
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    server.proc.kill("SIGTERM");
    await new Promise((r) => server.proc.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  }
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
