import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";

const BIN = resolve(import.meta.dirname, "../../bin/docket.js");

export interface ChildDocket {
  url: string;
  proc: ChildProcess;
  output(): string;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
}

/**
 * Runs the built CLI (`bin/docket.js`, i.e. dist/ — `npm test` builds first) as a separate
 * process, as a user would, and waits for its "listening on URL" line when it serves HTTP.
 */
export async function spawnDocket(
  args: string[],
  opts: { waitForUrl?: boolean; env?: Record<string, string> } = {},
): Promise<ChildDocket> {
  const proc = spawn(process.execPath, [BIN, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...opts.env },
  });
  let out = "";
  proc.stdout!.on("data", (d) => {
    out += d;
  });
  proc.stderr!.on("data", (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));
  if (opts.waitForUrl === false) return { url: "", proc, output: () => out, exited };
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`docket did not start:\n${out}`)), 30_000);
    const check = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    };
    proc.stdout!.on("data", check);
    proc.on("exit", (code) => {
      clearTimeout(timer);
      rej(new Error(`docket exited with ${code} before listening:\n${out}`));
    });
  });
  return { url, proc, output: () => out, exited };
}
