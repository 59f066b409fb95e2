import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApiClient } from "../../src/cli/api-client.js";
import { type DocketConfig, defaultConfig, type RouteConfig } from "../../src/config/config.js";
import type { Job } from "../../src/domain/job.js";
import { type RunningDocket, startEmbedded } from "../../src/runtime/embedded.js";
import { round } from "./goal.js";

export interface BenchDocket {
  docket: RunningDocket;
  client: ApiClient;
  dir: string;
  /** Uploads lines as a batch file and creates a batch; returns its id. */
  submit(lines: string[], window?: string): Promise<string>;
  /** Polls the store until the job reaches one of `statuses`. */
  waitFor(id: string, statuses: string[], timeoutMs?: number): Promise<Job>;
  close(): Promise<void>;
}

/** An embedded Docket (SQLite, durable settings as shipped) in this process, for benchmarks. */
export async function startBenchDocket(
  route: Partial<RouteConfig> & { backendUrl: string },
  tune?: (c: DocketConfig) => void,
): Promise<BenchDocket> {
  const dir = mkdtempSync(join(tmpdir(), "docket-bench-"));
  const config = defaultConfig();
  config.dataDir = dir;
  config.server.port = 0;
  config.server.maxUploadBytes = 2 * 1024 ** 3;
  const { backendUrl, ...rest } = route;
  config.routes = [
    {
      name: "bench",
      models: ["*"],
      backend: { type: "openai", baseUrl: backendUrl },
      concurrency: 64,
      timeoutMs: 60_000,
      maxAttempts: 12,
      ...rest,
    },
  ];
  tune?.(config);
  const docket = await startEmbedded(config);
  const client = new ApiClient(docket.url);
  let n = 0;
  return {
    docket,
    client,
    dir,
    async submit(lines, window = "24h") {
      const path = join(dir, `input-${n++}.jsonl`);
      writeFileSync(path, `${lines.join("\n")}\n`);
      const file = await client.uploadFile(path, "batch");
      const batch = await client.json<{ id: string }>("POST", "/v1/batches", {
        input_file_id: file.id,
        endpoint: "/v1/chat/completions",
        completion_window: window,
      });
      return batch.id;
    },
    async waitFor(id, statuses, timeoutMs = 300_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const job = await docket.store.getJob(id);
        if (job && statuses.includes(job.status)) return job;
        if (Date.now() > deadline) throw new Error(`job ${id} is ${job?.status} after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async close() {
      await docket.close({ graceMs: 1000 });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function chatLines(n: number, prefix = "r"): string[] {
  return Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      custom_id: `${prefix}-${i}`,
      method: "POST",
      url: "/v1/chat/completions",
      body: {
        model: "bench-model",
        max_tokens: 8,
        messages: [{ role: "user", content: `Say something about ${i}.` }],
      },
    }),
  );
}

export function bench(name: string, figures: Record<string, number | string>): void {
  const parts = Object.entries(figures).map(([k, v]) => `${k}=${typeof v === "number" ? round(v) : v}`);
  console.log(`BENCH ${name} ${parts.join(" ")}`);
}

export { round } from "./goal.js";

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
