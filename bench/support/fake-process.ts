import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { request } from "undici";
import type { FakeStats } from "../../src/backends/fake/fake-stats.js";

const BIN = resolve(import.meta.dirname, "../../bin/docket.js");

export interface FakeProcess {
  url: string;
  stats(): Promise<FakeStats>;
  control(options: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

/**
 * The fake backend in its own process, so the model side of a benchmark never competes with
 * the code being measured for the same event loop.
 */
export async function startFakeProcess(flags: string[] = []): Promise<FakeProcess> {
  const proc: ChildProcess = spawn(process.execPath, [BIN, "fake-backend", "--port", "0", ...flags], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((res, rej) => {
    let out = "";
    proc.stdout!.on("data", (d) => {
      out += d;
      const m = /listening on (\S+)/.exec(out);
      if (m) res(m[1]!);
    });
    proc.on("exit", (code) => rej(new Error(`fake backend exited with ${code}`)));
  });
  const origin = new URL(url).origin;
  return {
    url,
    async stats() {
      const res = await request(`${origin}/stats`);
      return (await res.body.json()) as FakeStats;
    },
    async control(options) {
      const res = await request(`${origin}/control`, {
        method: "POST",
        body: JSON.stringify(options),
        headers: { "content-type": "application/json" },
      });
      await res.body.text();
    },
    async close() {
      proc.kill("SIGINT");
      await new Promise((r) => proc.once("exit", r));
    },
  };
}
