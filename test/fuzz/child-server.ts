import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { type FakeBackend, startFakeBackend } from "../../src/backends/fake/fake-backend-server.js";
import { type ChildDocket, spawnDocket } from "../support/child-docket.js";

export const API_KEY = "fuzz-key-17";

/** Small limits so that abusive clients are cut within seconds (names from src/config/config.ts). */
export const LIMITS = {
  maxUploadBytes: 64 * 1024 * 1024,
  headersTimeoutMs: 2_000,
  requestTimeoutMs: 8_000,
  idleTimeoutMs: 1_500,
};

export interface FuzzServer {
  child: ChildDocket;
  pid: number;
  port: number;
  url: string;
  dataDir: string;
  fake: FakeBackend;
  openai: OpenAI;
  close(): Promise<void>;
}

/**
 * A real `docket serve` child process (built CLI: `npm test` builds dist/ first) with an API key
 * and small HTTP limits, in front of an in-process fake backend that records bodies. A child,
 * so a crash shows as a dead process and its memory can be read from /proc.
 */
export async function startFuzzServer(): Promise<FuzzServer> {
  const fake = await startFakeBackend({ recordBodies: true, latencyMs: 0 });
  const dataDir = mkdtempSync(join(tmpdir(), "docket-fuzz-"));
  const configPath = join(dataDir, "docket.config.json");
  writeFileSync(
    configPath,
    JSON.stringify({
      dataDir: join(dataDir, "data"),
      server: { host: "127.0.0.1", port: 0, apiKey: API_KEY, ...LIMITS },
      worker: { leaseMs: 5_000, maintenanceMs: 100, pollMs: 200, sqliteSynchronous: "NORMAL" },
      routes: [
        {
          name: "fake",
          models: ["fake-*"],
          backend: { type: "openai", baseUrl: fake.url },
          concurrency: 8,
          timeoutMs: 60_000,
        },
      ],
    }),
  );
  const child = await spawnDocket(["serve", "--config", configPath]);
  const url = child.url;
  return {
    child,
    pid: child.proc.pid!,
    port: Number(new URL(url).port),
    url,
    dataDir,
    fake,
    openai: new OpenAI({ baseURL: `${url}/v1`, apiKey: API_KEY, maxRetries: 0, timeout: 60_000 }),
    async close() {
      if (child.proc.exitCode === null && child.proc.signalCode === null) {
        child.proc.kill("SIGTERM");
        const killer = setTimeout(() => child.proc.kill("SIGKILL"), 10_000);
        await child.exited;
        clearTimeout(killer);
      }
      await fake.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** VmRSS / VmHWM of a process in bytes (Linux /proc). */
export function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

/** Temp files (`*.tmp`) under the data dir and their total size: partial uploads left behind. */
export function tempFiles(dir: string): { count: number; bytes: number } {
  let count = 0;
  let bytes = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".tmp")) {
        count++;
        try {
          bytes += statSync(p).size;
        } catch {}
      }
    }
  };
  walk(dir);
  return { count, bytes };
}

export function isAlive(s: FuzzServer): boolean {
  return s.child.proc.exitCode === null && s.child.proc.signalCode === null;
}
