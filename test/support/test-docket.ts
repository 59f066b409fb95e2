import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { type FakeBackend, startFakeBackend } from "../../src/backends/fake/fake-backend-server.js";
import type { FakeBackendOptions } from "../../src/backends/fake/fake-options.js";
import { type DocketConfig, defaultConfig, type RouteConfig } from "../../src/config/config.js";
import { type RunningDocket, startEmbedded } from "../../src/runtime/embedded.js";

export interface TestDocket {
  docket: RunningDocket;
  fake: FakeBackend;
  openai: OpenAI;
  dataDir: string;
  config: DocketConfig;
  close(): Promise<void>;
}

/**
 * A real `docket serve` (in-process: real HTTP, real SQLite, real files) in front of a real
 * fake-backend HTTP server, and the official openai SDK pointed at it.
 */
export async function startTestDocket(
  o: { fake?: FakeBackendOptions; route?: Partial<RouteConfig>; tune?: (c: DocketConfig) => void } = {},
): Promise<TestDocket> {
  const fake = await startFakeBackend(o.fake ?? {});
  const dataDir = mkdtempSync(join(tmpdir(), "docket-e2e-"));
  const config = defaultConfig();
  config.dataDir = dataDir;
  config.server.port = 0;
  config.worker.leaseMs = 5_000;
  config.worker.maintenanceMs = 100;
  config.worker.pollMs = 200;
  config.routes = [
    {
      name: "fake",
      models: ["fake-*"],
      backend: { type: "openai", baseUrl: fake.url },
      concurrency: 32,
      timeoutMs: 10_000,
      maxAttempts: 12,
      ...o.route,
    },
  ];
  o.tune?.(config);
  const docket = await startEmbedded(config);
  const openai = new OpenAI({ baseURL: `${docket.url}/v1`, apiKey: "test", maxRetries: 0 });
  return {
    docket,
    fake,
    openai,
    dataDir,
    config,
    async close() {
      await docket.close({ graceMs: 1000 });
      await fake.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls a batch with the SDK until it reaches one of `statuses`. */
export async function pollBatch(openai: OpenAI, id: string, statuses: string[], timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const b = await openai.batches.retrieve(id);
    if (statuses.includes(b.status)) return b;
    if (Date.now() > deadline) throw new Error(`batch ${id} still ${b.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
