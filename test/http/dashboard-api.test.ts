import { createReadStream } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { chatBatchLines, writeLines } from "../support/batch-files.js";
import { pollBatch, startTestDocket, type TestDocket } from "../support/test-docket.js";

/** The dashboard's JSON endpoints on a real `docket serve` with a fake provider (docs/dashboard.md). */
describe("dashboard API", () => {
  let t: TestDocket;
  afterEach(async () => t?.close());

  const get = async (path: string) => {
    const res = await fetch(`${t.docket.url}${path}`);
    // biome-ignore lint/suspicious/noExplicitAny: the test reads the documented JSON loosely, field by field.
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  async function submit(lines: string[]) {
    const path = writeLines(join(t.dataDir, `input-${Math.random()}.jsonl`), lines);
    const file = await t.openai.files.create({ file: createReadStream(path), purpose: "batch" });
    return t.openai.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
    });
  }

  it("lists a finished batch with its counts, usage and cost, and shows its page, routes and webhooks", async () => {
    t = await startTestDocket({
      fake: { fail400Marker: "FAILME", latencyMs: 20, rate429: 0.1, retryAfterSeconds: 0, seed: 3 },
      route: { price: { inputPerMTok: 1, outputPerMTok: 2 } },
    });
    const lines = chatBatchLines(200, { mark: (i) => (i % 10 === 3 ? "FAILME " : null) });
    const created = await submit(lines);
    const done = await pollBatch(t.openai, created.id, ["completed", "failed"]);
    expect(done.request_counts).toEqual({ total: 200, completed: 180, failed: 20 });

    const list = await get("/v1/dashboard/jobs");
    expect(list.status).toBe(200);
    expect(list.body.has_more).toBe(false);
    expect(list.body.total).toBe(1);
    expect(list.body.status_counts).toMatchObject({ completed: 1, in_progress: 0, failed: 0 });
    const [item] = list.body.data;
    expect(item).toMatchObject({
      id: created.id,
      object: "dashboard.job",
      kind: "batch",
      format: "openai",
      status: "completed",
      model: "fake-model",
      endpoint: "/v1/chat/completions",
      counts: { total: 200, completed: 180, failed: 20 },
      rate_per_s: null,
      eta_s: null,
      output_file_id: done.output_file_id,
      error_file_id: done.error_file_id,
    });
    const usage = item.usage as { input_tokens: number; output_tokens: number };
    expect(usage.input_tokens).toBe(done.usage?.input_tokens);
    expect(usage.output_tokens).toBeGreaterThan(0);
    expect(item.cost_usd).toBeCloseTo((usage.input_tokens * 1 + usage.output_tokens * 2) / 1e6, 12);
    expect(item.ended_at).toBe(done.completed_at);

    expect((await get("/v1/dashboard/jobs?status=failed")).body.data).toEqual([]);
    expect((await get("/v1/dashboard/jobs?status=failed")).body.total).toBe(1);
    expect((await get("/v1/dashboard/jobs?kind=invocation")).body.total).toBe(0);
    expect((await get("/v1/dashboard/jobs?model=fake-model&format=openai")).body.data).toHaveLength(1);
    expect((await get("/v1/dashboard/jobs?format=bedrock")).body.data).toEqual([]);
    const bad = await get("/v1/dashboard/jobs?status=done");
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe("status");
    expect((await get("/v1/dashboard/jobs?limit=101")).status).toBe(400);

    const page = await get(`/v1/dashboard/jobs/${created.id}`);
    expect(page.status).toBe(200);
    const job = page.body;
    expect(job.counts).toMatchObject({ total: 200, succeeded: 180, failed: 20, running: 0, pending: 0 });
    const buckets = job.throughput.buckets as Array<{ succeeded: number; failed: number }>;
    expect(buckets.reduce((n, b) => n + b.succeeded, 0)).toBe(180);
    expect(buckets.reduce((n, b) => n + b.failed, 0)).toBe(20);
    expect(job.throughput.interval_s).toBe(1);
    expect(job.throughput.recent_rate_per_s).toBeNull();
    expect(job.latency_ms.sample).toBe(200);
    expect(job.latency_ms.p50).toBeGreaterThanOrEqual(20);
    expect(job.latency_ms.p90).toBeGreaterThanOrEqual(job.latency_ms.p50);
    expect(job.latency_ms.p99).toBeGreaterThanOrEqual(job.latency_ms.p90);
    expect(job.cost).toEqual({ usd: item.cost_usd, input_per_mtok: 1, output_per_mtok: 2 });
    expect(job.error_groups).toHaveLength(1);
    const group = job.error_groups[0];
    expect(group.count).toBe(20);
    expect(typeof group.code).toBe("string");
    expect(group.samples.map((s: { custom_id: string }) => s.custom_id)).toEqual([
      "req-00003",
      "req-00013",
      "req-00023",
    ]);
    const sample = group.samples[0];
    expect(sample).toMatchObject({ line: 4, position: 3, state: "failed", attempts: 1 });
    expect(sample.request_body.text).toBe(JSON.stringify(JSON.parse(lines[3]!).body));
    expect(sample.request_body.truncated).toBe(false);
    expect(sample.request_body.chars).toBe(sample.request_body.text.length);
    expect(sample.request_body.bytes).toBe(Buffer.byteLength(sample.request_body.text));
    expect(sample.response.status_code).toBe(400);
    expect(sample.response.body.text).toContain("error");
    expect(sample.error.code).toBe(group.code);
    expect(job.links).toMatchObject({
      output_file: `/v1/files/${done.output_file_id}/content`,
      error_file: `/v1/files/${done.error_file_id}/content`,
      batch: `/v1/batches/${created.id}`,
      cancel: `/v1/batches/${created.id}/cancel`,
    });
    // The links work as they are.
    expect((await fetch(`${t.docket.url}${job.links.error_file}`)).status).toBe(200);
    expect((await get("/v1/dashboard/jobs/batch_nope")).status).toBe(404);

    // The route monitor samples once a second: wait for the sample that saw the last attempts.
    const sampled = (r: typeof routes) =>
      r.body.data[0].history.reduce((n: number, h: { attempts: number }) => n + h.attempts, 0);
    let routes = await get("/v1/dashboard/routes");
    for (let i = 0; i < 40 && sampled(routes) < routes.body.data[0].live.attempts.total; i++) {
      await new Promise((r) => setTimeout(r, 100));
      routes = await get("/v1/dashboard/routes");
    }
    expect(routes.body.worker_stats).toBe("live");
    const route = routes.body.data[0];
    expect(route).toMatchObject({
      name: "fake",
      models: ["fake-*"],
      backend_type: "openai",
      concurrency: 32,
    });
    expect(route.live.in_flight).toBe(0);
    const attempts = route.live.attempts;
    expect(attempts.ok).toBe(180);
    expect(attempts.status429).toBeUndefined();
    expect(attempts.status_429).toBe(t.fake.stats().byStatus[429] ?? 0);
    expect(attempts.status_429).toBeGreaterThan(0);
    expect(attempts.total).toBe(t.fake.stats().requests);
    expect(attempts.ok + attempts.status_429 + attempts.status_5xx + attempts.other_errors).toBe(
      attempts.total,
    );
    expect(route.history.length).toBeGreaterThan(0);
    expect(route.history.reduce((n: number, h: { attempts: number }) => n + h.attempts, 0)).toBe(
      attempts.total,
    );

    const hooks = await get(`/v1/dashboard/webhooks?job=${created.id}`);
    expect(hooks.body).toEqual({ object: "list", data: [], has_more: false, last_id: null });
    expect((await get("/v1/dashboard/webhooks?job=batch_nope")).status).toBe(404);
  });

  it("shows a batch that failed validation with its line errors and no record groups", async () => {
    t = await startTestDocket();
    const created = await submit([...chatBatchLines(2), "not json"]);
    await pollBatch(t.openai, created.id, ["failed"]);
    const job = (await get(`/v1/dashboard/jobs/${created.id}`)).body;
    expect(job.status).toBe("failed");
    expect(job.errors.object).toBe("list");
    expect(job.errors.data[0]).toMatchObject({ line: 3 });
    expect(job.error_groups).toEqual([]);
    expect(job.links.output_file).toBeNull();
    expect(
      (await get("/v1/dashboard/jobs?status=failed")).body.data.map((j: { id: string }) => j.id),
    ).toEqual([created.id]);
  });

  it("streams job-list changes: the jobs at once, then a new job and its progress", async () => {
    t = await startTestDocket({ fake: { latencyMs: 5 } });
    const first = await submit(chatBatchLines(5));
    await pollBatch(t.openai, first.id, ["completed"]);

    const events: Array<{ changed: Array<{ id: string; status: string }>; total: number }> = [];
    let waiters: Array<() => void> = [];
    const req = http.get(`${t.docket.url}/v1/dashboard/events?interval_ms=100`);
    const res = await new Promise<http.IncomingMessage>((resolve) => req.on("response", resolve));
    expect(res.headers["content-type"]).toContain("text/event-stream");
    let buffer = "";
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf("\n\n"); end !== -1; end = buffer.indexOf("\n\n")) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^data: (.*)$/m.exec(block);
        if (block.startsWith("event: jobs") && data) events.push(JSON.parse(data[1]!));
      }
      for (const w of waiters) w();
      waiters = [];
    });
    const until = async (check: () => boolean) => {
      const deadline = Date.now() + 20_000;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`no such event in ${JSON.stringify(events)}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 200);
        });
      }
    };
    try {
      await until(() => events.length > 0);
      expect(events[0]!.changed.map((j) => j.id)).toEqual([first.id]);
      expect(events[0]!.total).toBe(1);
      const seen = events.length;
      const second = await submit(chatBatchLines(50));
      await until(() => events.slice(seen).some((e) => e.changed.some((j) => j.id === second.id)));
      await until(() =>
        events.some((e) => e.changed.some((j) => j.id === second.id && j.status === "completed")),
      );
      // The finished first job is not sent again: nothing about it changed.
      expect(events.slice(1).some((e) => e.changed.some((j) => j.id === first.id))).toBe(false);
      // An open stream does not hold up the server's close (it is cut, not waited for).
      const ended = new Promise<void>((resolve) => res.on("close", resolve));
      const closing = Date.now();
      await t.docket.close({ graceMs: 1000 });
      t.docket.close = async () => {}; // closed: afterEach closes only the fake
      await ended;
      expect(Date.now() - closing).toBeLessThan(5_000);
    } finally {
      req.destroy();
    }
  });
});
