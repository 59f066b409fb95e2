import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { tsChildArgs } from "./ts-child/ts-child.js";

const script = fileURLToPath(new URL("../backends/fixtures/fake-backend-cli.ts", import.meta.url));

const running = new Set<ChildProcess>();

/** For afterEach: kills the fake servers a test left running (it failed before stopping them). */
export function killFakeClis(): void {
  for (const proc of running) if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
  running.clear();
}

/**
 * `docket fake-backend ARGS` in a child process; `url` resolves with the address it prints, or
 * rejects with everything it wrote when it exits first (a refused flag).
 */
export function runFakeCli(args: string[]): { proc: ChildProcess; url: Promise<string> } {
  const proc = spawn(process.execPath, tsChildArgs(script, ["fake-backend", ...args]), {
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(proc);
  let output = "";
  const url = new Promise<string>((resolve, reject) => {
    const take = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /fake backend listening on (\S+)/.exec(output);
      if (match) resolve(match[1]!);
    };
    proc.stdout!.on("data", take);
    proc.stderr!.on("data", take);
    proc.once("exit", (code) => reject(new Error(`exited ${code}: ${output}`)));
  });
  return { proc, url };
}
