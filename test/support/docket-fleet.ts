import { writeFileSync } from "node:fs";
import { join } from "node:path";
import OpenAI from "openai";
import { dropSchema, freshSchemaName, withClient } from "../store/pg-test-db.js";
import { type ChildDocket, spawnDocket } from "./child-docket.js";

export interface FleetWorker extends ChildDocket {
  /** The worker's owner name, as written in leases, `leaders` and `workers`. */
  owner: string;
}

export interface DocketFleet {
  schema: string;
  api: ChildDocket;
  openai: OpenAI;
  workers: FleetWorker[];
  /** Starts one more `docket worker` on the same database and config. */
  startWorker(extraArgs?: string[]): Promise<FleetWorker>;
  /** SIGKILLs a worker (no goodbye) and waits until it is gone. */
  kill(worker: FleetWorker, signal?: NodeJS.Signals): Promise<void>;
  /** Runs SQL against the fleet's schema. */
  sql<R extends Record<string, unknown>>(text: string, values?: unknown[]): Promise<R[]>;
  /** The owner currently holding the maintenance lead, if any. */
  leader(): Promise<string | null>;
  close(): Promise<void>;
}

/**
 * One `docket api` and N `docket worker` processes (the built CLI, as an operator runs them)
 * on a fresh PostgreSQL schema, sharing a blob directory, with the given worker settings.
 */
export async function startFleet(o: {
  url: string;
  dir: string;
  backendUrl: string;
  workers: number;
  worker: Record<string, unknown>;
  concurrency: number;
  /** Extra route settings, e.g. `{ rpm: 600 }`. */
  route?: Record<string, unknown>;
}): Promise<DocketFleet> {
  const schema = freshSchemaName();
  const configPath = join(o.dir, `${schema}.json`);
  writeFileSync(
    configPath,
    JSON.stringify({
      worker: o.worker,
      routes: [
        { name: "fake", models: ["*"], backend: { type: "openai", baseUrl: o.backendUrl }, ...o.route },
      ],
    }),
  );
  const common = [
    "--config",
    configPath,
    "--database-url",
    o.url,
    "--database-schema",
    schema,
    "--pool-size",
    "4",
    "--blobs-dir",
    join(o.dir, `${schema}-blobs`),
  ];
  const children: ChildDocket[] = [];
  const startWorker = async (extraArgs: string[] = []): Promise<FleetWorker> => {
    const child = await spawnDocket(
      ["worker", ...common, "--concurrency", String(o.concurrency), ...extraArgs],
      { waitForUrl: false },
    );
    children.push(child);
    const owner = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker did not start:\n${child.output()}`)), 30_000);
      const check = () => {
        const m = /docket worker (\S+) started/.exec(child.output());
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      child.proc.stdout!.on("data", check);
      child.proc.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`worker exited with ${code}:\n${child.output()}`));
      });
      check();
    });
    return { ...child, owner };
  };
  // The API first: it migrates the schema, so the workers start on a ready database.
  const api = await spawnDocket(["api", "--port", "0", ...common]);
  children.push(api);
  const workers = await Promise.all(Array.from({ length: o.workers }, () => startWorker()));
  const sql = <R extends Record<string, unknown>>(text: string, values: unknown[] = []) =>
    withClient(o.url, async (c) => (await c.query(text, values)).rows as R[], schema);
  return {
    schema,
    api,
    openai: new OpenAI({ baseURL: `${api.url}/v1`, apiKey: "x", maxRetries: 2 }),
    workers,
    startWorker,
    async kill(worker, signal = "SIGKILL") {
      worker.proc.kill(signal);
      await worker.exited;
    },
    sql,
    async leader() {
      const rows = await sql<{ owner: string }>(
        "SELECT owner FROM leaders WHERE name = 'maintenance' AND lease_until > $1",
        [Date.now()],
      );
      return rows[0]?.owner ?? null;
    },
    async close() {
      for (const c of children)
        if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill("SIGKILL");
      await Promise.all(children.map((c) => c.exited));
      await dropSchema(o.url, schema);
    },
  };
}

export async function waitFor<T>(
  check: () => Promise<T | null | undefined | false>,
  timeoutMs: number,
  what: string,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
