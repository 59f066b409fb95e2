/** Child processes killed at chosen moments of a provider job, and what every crash test checks after. */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect } from "vitest";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { tsChildArgs } from "../support/ts-child/ts-child.js";
import { finishedOf } from "./offload-harness.js";

const CHILD = resolve(import.meta.dirname, "offload-child.ts");

export function runChild(
  env: Record<string, string>,
): Promise<{ code: number | null; signal: string | null; out: string }> {
  const proc = spawn(process.execPath, tsChildArgs(CHILD), {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout.on("data", (d) => (out += d));
  proc.stderr.on("data", (d) => (out += d));
  return new Promise((r) => proc.on("exit", (code, signal) => r({ code, signal, out })));
}

/** A fresh database holding the job `make` writes, closed for the child processes to open. */
export async function crashDb(
  make: (store: Store) => Promise<string>,
): Promise<{ dbPath: string; jobId: string }> {
  const dbPath = join(mkdtempSync(join(tmpdir(), "docket-crash-")), "docket.db");
  const setup = openSqliteStore({ path: dbPath });
  const jobId = await make(setup);
  await setup.close();
  return { dbPath, jobId };
}

/** The job ended with each of its `n` records succeeded, in order; its finished records. */
export async function expectAllSucceeded(
  store: Store,
  jobId: string,
  n: number,
  customId: (i: number) => string,
) {
  expect((await store.getJob(jobId))!.tally).toEqual({ succeeded: n, failed: 0, cancelled: 0, expired: 0 });
  const finished = await finishedOf(store, jobId);
  expect(finished.map((r) => r.customId)).toEqual(Array.from({ length: n }, (_, i) => customId(i)));
  return finished;
}
