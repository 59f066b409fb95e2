import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FakeAnthropic,
  startFakeAnthropic,
} from "../../src/backends/fake-anthropic/fake-anthropic-server.js";
import { defaultConfig } from "../../src/config/config.js";
import { type RunningDocket, startEmbedded } from "../../src/runtime/embedded.js";
import { watchBackendRequests } from "../support/backend-requests.js";

const REQUESTS = 300;
const CONCURRENCY = 16;

/** Wall-clock ms with sub-ms precision, on the same clock as the request stamps. */
const preciseNow = () => performance.timeOrigin + performance.now();

/**
 * "Stop means stop" for Message Batches: once `POST /v1/messages/batches/{id}/cancel` has
 * returned, Docket sends no further request of that batch (proven as in cancel-stops.test.ts:
 * "sent" is when Docket handed a request to its HTTP client). Requests in flight may finish; the
 * rest end `canceled`, in the counts and in the results.
 */
describe("cancelling a Message Batch (anthropic SDK)", () => {
  let dir: string;
  let docket: RunningDocket;
  let fake: FakeAnthropic;
  let client: Anthropic;
  let wire: ReturnType<typeof watchBackendRequests>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "docket-anthropic-cancel-"));
    fake = await startFakeAnthropic({ latencyMs: 300, recordArrivals: true });
    const config = defaultConfig();
    config.dataDir = dir;
    config.server.port = 0;
    config.worker.leaseMs = 5_000;
    config.worker.maintenanceMs = 100;
    config.worker.pollMs = 200;
    config.routes = [
      {
        name: "claude",
        models: ["claude-*"],
        backend: { type: "anthropic", baseUrl: fake.url },
        concurrency: CONCURRENCY,
        timeoutMs: 10_000,
        maxAttempts: 12,
      },
    ];
    docket = await startEmbedded(config);
    client = new Anthropic({ baseURL: docket.url, apiKey: "unused", maxRetries: 0 });
    wire = watchBackendRequests(new URL(fake.url).origin);
  });

  afterAll(async () => {
    wire?.stop();
    await docket?.close({ graceMs: 1000 });
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([20, 90])(
    "sends nothing after cancel returns, and ends with canceled counts (after %i arrivals)",
    async (after) => {
      fake.resetStats();
      wire.clear();
      const created = await client.messages.batches.create({
        requests: Array.from({ length: REQUESTS }, (_, i) => ({
          custom_id: `req-${i}`,
          params: {
            model: "claude-test",
            max_tokens: 8,
            messages: [{ role: "user" as const, content: `Question ${i}` }],
          },
        })),
      });
      const deadline = Date.now() + 20_000;
      while ((fake.stats().arrivals?.length ?? 0) < after) {
        if (Date.now() > deadline) throw new Error(`only ${fake.stats().arrivals?.length} requests arrived`);
        await new Promise((r) => setTimeout(r, 5));
      }

      const canceling = await client.messages.batches.cancel(created.id);
      const returnedAt = preciseNow();
      expect(canceling.processing_status).toBe("canceling");
      expect(canceling.cancel_initiated_at).not.toBeNull();

      let ended = canceling;
      while (ended.processing_status !== "ended") {
        if (Date.now() > deadline + 30_000) throw new Error("the cancelled batch never ended");
        await new Promise((r) => setTimeout(r, 50));
        ended = await client.messages.batches.retrieve(created.id);
      }
      const sent = wire.created();
      const sentAfter = sent
        .filter((at) => at > returnedAt)
        .map((at) => `+${(at - returnedAt).toFixed(1)} ms`);
      expect(sentAfter, "requests sent to the backend after cancel returned").toEqual([]);
      const arrivals = fake.stats().arrivals ?? [];
      expect(arrivals).toHaveLength(sent.length);

      // Every request that reached the backend finished; everything else was canceled.
      const counts = ended.request_counts;
      expect(counts.succeeded).toBe(arrivals.length);
      expect(counts.canceled).toBe(REQUESTS - arrivals.length);
      expect(counts).toMatchObject({ processing: 0, errored: 0, expired: 0 });
      expect(ended.cancel_initiated_at).toBe(canceling.cancel_initiated_at);

      const types: Record<string, number> = {};
      for await (const line of await client.messages.batches.results(created.id)) {
        types[line.result.type] = (types[line.result.type] ?? 0) + 1;
      }
      expect(types).toEqual({ succeeded: counts.succeeded, canceled: counts.canceled });
    },
  );
});
