import { toFile } from "openai";
import { afterEach, describe, expect, it } from "vitest";
import type { AutoBackendConfig, OpenAIBatchBackendConfig } from "../../src/config/batch-backend-config.js";
import { chatBatchLines, parseJsonl } from "../support/batch-files.js";
import { pollBatch, startTestDocket, type TestDocket } from "../support/test-docket.js";

const H = 3_600_000;

/**
 * Hybrid routing and openai-batch end to end (issue 13): Docket A's `auto` route pairs an
 * on-demand route (A's fake backend) with an openai-batch route whose provider is a second
 * Docket (B), driven by the real OpenAI batch client; the user talks to A with the openai SDK.
 */
describe("hybrid routing over a second Docket's OpenAI Batch API", () => {
  const running: TestDocket[] = [];
  afterEach(async () => {
    for (const d of running.splice(0).reverse()) await d.close();
  });

  async function pair(auto: Partial<AutoBackendConfig>, providerLatencyMs = 0) {
    const provider = await startTestDocket({ fake: { latencyMs: providerLatencyMs } });
    running.push(provider);
    const batch: OpenAIBatchBackendConfig = {
      type: "openai-batch",
      baseUrl: `${provider.docket.url}/v1`,
      apiKey: "test",
      minRecordsPerJob: 1,
      pollMs: 50,
    };
    const docket = await startTestDocket({
      tune: (c) => {
        const online = { ...c.routes[0]!, name: "online", models: ["online-only"] };
        c.routes = [
          {
            name: "auto",
            models: ["fake-*"],
            backend: {
              type: "auto",
              batchRoute: "batch",
              onlineRoute: "online",
              minBatchRecords: 1,
              ...auto,
            },
            concurrency: 1,
            timeoutMs: 10_000,
            maxAttempts: 12,
            price: { inputPerMTok: 1, outputPerMTok: 2, batchDiscount: 0.5 },
          },
          online,
          {
            name: "batch",
            models: ["batch-only"],
            backend: batch,
            concurrency: 1,
            timeoutMs: 10_000,
            maxAttempts: 12,
          },
        ];
      },
    });
    running.push(docket);
    return { provider, docket };
  }

  async function submit(d: TestDocket, n: number) {
    const file = await d.openai.files.create({
      file: await toFile(Buffer.from(`${chatBatchLines(n).join("\n")}\n`), "in.jsonl"),
      purpose: "batch",
    });
    return d.openai.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
    });
  }

  async function providerJobs(d: TestDocket, id: string) {
    const res = await fetch(`${d.docket.url}/v1/batches/${id}/provider_jobs`);
    expect(res.status).toBe(200);
    return (await res.json()) as {
      data: Array<{ status: string; records: number; provider_job_id: string | null }>;
      cost: { batch_usd: number; on_demand_usd: number; saved_usd: number; total_usd: number } | null;
    };
  }

  it("runs a job on-demand when its window is shorter than the provider's turnaround", async () => {
    const { provider, docket } = await pair({ turnaroundMs: 48 * H });
    const b = await submit(docket, 20);
    const done = await pollBatch(docket.openai, b.id, ["completed", "failed"], 30_000);
    expect(done.status).toBe("completed");
    expect(done.request_counts).toMatchObject({ total: 20, completed: 20, failed: 0 });
    expect((await providerJobs(docket, b.id)).data).toEqual([]);
    expect(provider.fake.stats().requests).toBe(0);
    expect(docket.fake.stats().requests).toBe(20);
  }, 60_000);

  it("sends a job with room in its window to the provider's batch API, at the batch discount", async () => {
    const { provider, docket } = await pair({ turnaroundMs: 1_000, onlineFallbackBeforeMs: 1_000 });
    const b = await submit(docket, 30);
    const done = await pollBatch(docket.openai, b.id, ["completed", "failed"], 60_000);
    expect(done.status).toBe("completed");
    expect(docket.fake.stats().requests).toBe(0);
    expect(provider.fake.stats().requests).toBe(30);
    const out = parseJsonl<{ custom_id: string; response: { status_code: number } }>(
      await (await docket.openai.files.content(done.output_file_id!)).text(),
    );
    expect(out.map((l) => l.custom_id)).toEqual(chatBatchLines(30).map((l) => JSON.parse(l).custom_id));
    expect(out.every((l) => l.response.status_code === 200)).toBe(true);
    const pjs = await providerJobs(docket, b.id);
    expect(pjs.data.map((p) => [p.status, p.records])).toEqual([["done", 30]]);
    expect(pjs.cost!.on_demand_usd).toBe(0);
    expect(pjs.cost!.batch_usd).toBeGreaterThan(0);
    expect(pjs.cost!.saved_usd).toBeCloseTo(pjs.cost!.batch_usd, 12);
  }, 90_000);

  it("pulls back what stalls at the provider near the window's end and finishes it on-demand", async () => {
    // The provider answers nothing for a minute; the job's fallback point comes 4 s after submission.
    const { provider, docket } = await pair(
      { turnaroundMs: 1_000, onlineFallbackBeforeMs: 24 * H - 4_000 },
      60_000,
    );
    const b = await submit(docket, 10);
    // While the provider holds them, the metrics say so.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const text = await (await fetch(`${docket.docket.url}/metrics`)).text();
      if (text.includes('docket_provider_jobs{route="batch",state="running"} 1')) {
        expect(text).toContain('docket_provider_job_records{route="batch"} 10');
        break;
      }
      if (Date.now() > deadline) throw new Error(`no running provider job in the metrics:\n${text}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const done = await pollBatch(docket.openai, b.id, ["completed", "failed"], 45_000);
    expect(done.status).toBe("completed");
    expect(done.request_counts).toMatchObject({ total: 10, completed: 10, failed: 0 });
    expect(docket.fake.stats().requests).toBe(10);
    const pjs = await providerJobs(docket, b.id);
    expect(pjs.data.length).toBe(1);
    // Nothing of it was left at the provider: its job there is cancelled, the late answers refused.
    const theirs = await provider.openai.batches.retrieve(pjs.data[0]!.provider_job_id!);
    expect(["cancelling", "cancelled"]).toContain(theirs.status);
    expect(pjs.cost!.batch_usd).toBe(0);
  }, 90_000);
});
