import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

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

export interface ServedDocket extends ChildDocket {
  /** The test's own directory: the config file and the data dir (`data/`) are in it. */
  dir: string;
  /** Stops the server (SIGTERM) and removes `dir`. */
  close(): Promise<void>;
}

/** `docket serve` on a fresh directory, with `config` written as its config file. */
export async function serveWithConfig(prefix: string, config: object): Promise<ServedDocket> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    const file = join(dir, "docket.config.json");
    writeFileSync(file, JSON.stringify(config));
    const child = await spawnDocket([
      "serve",
      "--port",
      "0",
      "--data-dir",
      join(dir, "data"),
      "--config",
      file,
    ]);
    return {
      ...child,
      dir,
      async close() {
        child.proc.kill("SIGTERM");
        await child.exited;
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
