import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeBackend, startFakeBackend } from "../../src/backends/fake/fake-backend-server.js";
import type { InvocationView } from "../../src/cli/commands/invoke.js";
import { type DocketConfig, defaultConfig, type WebhooksConfig } from "../../src/config/config.js";
import { webhooksConfig } from "../../src/config/events-config.js";
import { verifySignature } from "../../src/events/webhooks/signature.js";
import { httpAgent } from "../../src/http-client/http-agent.js";
import { type RunningDocket, startEmbedded } from "../../src/runtime/embedded.js";
import { chatBatchLines, writeLines } from "../support/batch-files.js";
import { eventually, startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver.js";

const SECRET = "whsec_test";

interface Delivery {
  id: string;
  event: string;
  state: string;
  attempts: number;
  log: Array<{ status: number | null; error: string | null }>;
}

/**
 * Async invocations, webhooks, SSE and metrics against a real `docket serve` (in-process: real
 * HTTP, real SQLite, real files), a real fake-backend HTTP server and a real webhook receiver.
 */
describe("async invocations and events", () => {
  let fake: FakeBackend | undefined;
  let docket: RunningDocket | undefined;
  let receiver: WebhookReceiver | undefined;
  const dirs: string[] = [];

  afterEach(async () => {
    await docket?.close({ graceMs: 200 });
    await fake?.close();
    await receiver?.close();
    docket = fake = receiver = undefined;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function configFor(
    dataDir: string,
    o: { concurrency?: number; webhooks?: Partial<WebhooksConfig>; tune?: (c: DocketConfig) => void } = {},
  ): DocketConfig {
    const config = defaultConfig();
    config.dataDir = dataDir;
    config.server.port = 0;
    config.worker.leaseMs = 5_000;
    config.worker.maintenanceMs = 50;
    config.worker.pollMs = 100;
    config.routes = [
      {
        name: "fake",
        models: ["fake-*"],
        backend: { type: "openai", baseUrl: fake!.url },
        concurrency: o.concurrency ?? 8,
        timeoutMs: 10_000,
        maxAttempts: 3,
      },
    ];
    config.webhooks = {
      ...webhooksConfig(config),
      secret: SECRET,
      allowPrivateTargets: ["127.0.0.1"],
      backoffBaseMs: 50,
      backoffCapMs: 200,
      pollMs: 50,
      ...o.webhooks,
    };
    o.tune?.(config);
    return config;
  }

  async function start(
    fakeOptions: Parameters<typeof startFakeBackend>[0] = {},
    o: Parameters<typeof configFor>[1] = {},
  ): Promise<DocketConfig> {
    fake = await startFakeBackend(fakeOptions);
    const dataDir = mkdtempSync(join(tmpdir(), "docket-async-"));
    dirs.push(dataDir);
    const config = configFor(dataDir, o);
    docket = await startEmbedded(config);
    return config;
  }

  const chatBody = (text = "hello", model = "fake-1") =>
    JSON.stringify({ model, max_tokens: 5, messages: [{ role: "user", content: text }] });

  async function invoke(body: string, headers: Record<string, string> = {}, query = "model=fake-1") {
    const res = await request(`${docket!.url}/v1/async/invocations?${query}`, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", ...headers },
    });
    return { status: res.statusCode, json: (await res.body.json()) as InvocationView & { error?: unknown } };
  }

  async function get(path: string) {
    const res = await request(`${docket!.url}${path}`);
    return { status: res.statusCode, text: await res.body.text(), type: String(res.headers["content-type"]) };
  }

  async function waitEnded(id: string, timeoutMs = 20_000): Promise<InvocationView> {
    return eventually(
      async () => {
        const v = JSON.parse((await get(`/v1/async/invocations/${id}`)).text) as InvocationView;
        return ["succeeded", "failed", "cancelled"].includes(v.status) ? v : null;
      },
      timeoutMs,
      `invocation ${id} ended`,
    );
  }

  async function createBatch(lines: string[], extra: Record<string, unknown> = {}) {
    const path = writeLines(join(dirs[0]!, `in-${Date.now()}.jsonl`), lines);
    const { FormData } = await import("undici");
    const { openAsBlob } = await import("node:fs");
    const form = new FormData();
    form.set("purpose", "batch");
    form.set("file", await openAsBlob(path), "in.jsonl");
    const file = (await (
      await request(`${docket!.url}/v1/files`, { method: "POST", body: form, dispatcher: httpAgent })
    ).body.json()) as {
      id: string;
    };
    const res = await request(`${docket!.url}/v1/batches`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        input_file_id: file.id,
        endpoint: "/v1/chat/completions",
        completion_window: "1h",
        ...extra,
      }),
    });
    return {
      status: res.statusCode,
      json: (await res.body.json()) as { id: string; error?: { code: string } },
    };
  }

  async function deliveries(path: string): Promise<Delivery[]> {
    return (JSON.parse((await get(`${path}/webhook_deliveries`)).text) as { data: Delivery[] }).data;
  }

  it("accepts a payload with 202, runs it once per inference id, and serves its output", async () => {
    await start({}, { tune: (c) => (c.invocations = { ...c.invocations!, maxPayloadBytes: 4096 }) });
    const headers = { "x-docket-inference-id": "caller-1", "x-docket-custom-attributes": "trace=abc" };
    const first = await invoke(chatBody(), headers);
    expect(first.status).toBe(202);
    expect(first.json).toMatchObject({ inference_id: "caller-1", status: "queued" });
    expect(first.json.status_url).toBe(`${docket!.url}/v1/async/invocations/${first.json.id}`);
    expect(first.json.output_location).toBe(`${first.json.status_url}/output`);
    expect(first.json.failure_location).toBe(`${first.json.status_url}/failure`);

    const again = await invoke(chatBody("a different body"), headers);
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(first.json.id);

    const done = await waitEnded(first.json.id);
    expect(done.status).toBe("succeeded");
    const output = await get(`/v1/async/invocations/${first.json.id}/output`);
    expect(output.status).toBe(200);
    expect(JSON.parse(output.text)).toMatchObject({ object: "chat.completion", model: "fake-1" });
    expect((await get(`/v1/async/invocations/${first.json.id}/failure`)).status).toBe(404);
    expect(JSON.parse((await get("/v1/async/invocations/caller-1")).text).id).toBe(first.json.id);
    expect(fake!.stats().requests).toBe(1);
    // invocations are not batches
    expect((await get(`/v1/batches/${first.json.id}`)).status).toBe(404);

    const tooBig = await invoke(chatBody("x".repeat(10_000)));
    expect(tooBig.status).toBe(413);
    expect(tooBig.json.error).toMatchObject({ code: "payload_too_large" });
    expect((await invoke(chatBody(), {}, "model=unknown")).status).toBe(404);
  });

  it("answers 409 for the output while the invocation is still queued", async () => {
    await start({ latencyMs: 1500 });
    const { json } = await invoke(chatBody());
    expect((await get(`/v1/async/invocations/${json.id}/output`)).status).toBe(409);
  });

  it("fails an invocation that waits past its TTL on a saturated route with request_ttl_expired", async () => {
    await start({ latencyMs: 3500 }, { concurrency: 1 });
    const busy = await invoke(chatBody("first"));
    const late = await invoke(chatBody("second"), { "x-docket-request-ttl-seconds": "2" });
    expect(late.status).toBe(202);
    const ended = await waitEnded(late.json.id);
    expect(ended.status).toBe("failed");
    expect(ended.error?.code).toBe("request_ttl_expired");
    const failure = await get(`/v1/async/invocations/${late.json.id}/failure`);
    expect(JSON.parse(failure.text)).toMatchObject({ error: { code: "request_ttl_expired" } });
    expect((await waitEnded(busy.json.id)).status).toBe("succeeded");
  });

  it("fails an invocation that runs past its timeout with invocation_timeout, without retrying", async () => {
    await start({ rateHang: 1 });
    const { json } = await invoke(chatBody(), { "x-docket-invocation-timeout-seconds": "1" });
    const ended = await waitEnded(json.id);
    expect(ended).toMatchObject({ status: "failed", error: { code: "invocation_timeout" } });
    expect(fake!.stats().requests).toBe(1);
  });

  it("sends signed batch.completed and invocation.succeeded events", async () => {
    receiver = await startWebhookReceiver();
    await start();
    const batch = await createBatch(chatBatchLines(3), { webhook_url: receiver.url });
    expect(batch.status).toBe(200);
    const inv = await invoke(chatBody("inline me"), { "x-docket-webhook-url": receiver.url });
    await eventually(() => receiver!.received.length >= 2, 20_000, "two events");
    const byType = new Map(receiver.received.map((r) => [JSON.parse(r.body).type as string, r]));

    const batchHook = byType.get("batch.completed")!;
    expect(verifySignature(SECRET, batchHook.headers["docket-signature"] as string, batchHook.body)).toBe(
      true,
    );
    expect(verifySignature("wrong", batchHook.headers["docket-signature"] as string, batchHook.body)).toBe(
      false,
    );
    const batchEvent = JSON.parse(batchHook.body);
    expect(batchEvent.data).toMatchObject({
      id: batch.json.id,
      status: "completed",
      request_counts: { total: 3, completed: 3, failed: 0 },
    });
    expect(batchEvent.data.output_location).toBe(`/v1/files/${batchEvent.data.output_file_id}/content`);

    const invHook = byType.get("invocation.succeeded")!;
    expect(verifySignature(SECRET, invHook.headers["docket-signature"] as string, invHook.body)).toBe(true);
    expect(invHook.headers["docket-event"]).toBe("invocation.succeeded");
    const invEvent = JSON.parse(invHook.body);
    expect(invEvent.data).toMatchObject({ id: inv.json.id, status: "succeeded" });
    expect(JSON.parse(invEvent.data.output)).toMatchObject({ object: "chat.completion" });

    const log = await deliveries(`/v1/batches/${batch.json.id}`);
    expect(log).toMatchObject([{ event: "batch.completed", state: "delivered", attempts: 1 }]);
  });

  it("retries a failing receiver with backoff until it takes the event", async () => {
    receiver = await startWebhookReceiver();
    receiver.answer = (_hook, received) => (received.length < 3 ? 500 : 204);
    await start();
    const batch = await createBatch(chatBatchLines(1), { webhook_url: receiver.url });
    const [delivered] = await eventually(async () => {
      const d = await deliveries(`/v1/batches/${batch.json.id}`);
      return d[0]?.state === "delivered" ? d : null;
    });
    expect(delivered!.attempts).toBe(4);
    expect(delivered!.log.map((a) => a.status)).toEqual([500, 500, 500, 204]);
    // the same delivery (same id and body) every time, so a receiver can deduplicate
    expect(new Set(receiver.received.map((r) => r.headers["docket-delivery"])).size).toBe(1);
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
  });

  it("loses no delivery when Docket restarts between attempts", async () => {
    receiver = await startWebhookReceiver();
    receiver.answer = () => 503;
    const config = await start({}, { webhooks: { backoffBaseMs: 1500, backoffCapMs: 1500 } });
    const batch = await createBatch(chatBatchLines(1), { webhook_url: receiver.url });
    await eventually(async () => (await deliveries(`/v1/batches/${batch.json.id}`))[0]?.attempts === 1);
    await docket!.close({ graceMs: 200 });
    docket = undefined;
    expect(receiver.received).toHaveLength(1);

    receiver.answer = () => 204;
    docket = await startEmbedded(config);
    const [d] = await eventually(async () => {
      const list = await deliveries(`/v1/batches/${batch.json.id}`);
      return list[0]?.state === "delivered" ? list : null;
    });
    expect(d!.attempts).toBe(2);
    expect(receiver.received.map((r) => r.status)).toEqual([503, 204]);
  });

  it("refuses webhooks to 127.0.0.1 unless allowed", async () => {
    receiver = await startWebhookReceiver();
    await start({}, { webhooks: { allowPrivateTargets: false, successUrl: null } });
    const batch = await createBatch(chatBatchLines(1), { webhook_url: receiver.url });
    expect(batch.status).toBe(400);
    expect(batch.json.error?.code).toBe("webhook_target_forbidden");
    const inv = await invoke(chatBody(), { "x-docket-webhook-url": receiver.url });
    expect(inv.status).toBe(400);
    expect(inv.json.error).toMatchObject({ code: "webhook_target_forbidden" });

    // a configured default pointing inside is refused when sending, and never retried
    await docket!.close({ graceMs: 200 });
    docket = await startEmbedded(
      configFor(dirs[0]!, { webhooks: { allowPrivateTargets: false, successUrl: receiver.url } }),
    );
    const ok = await createBatch(chatBatchLines(1));
    const [d] = await eventually(async () => {
      const list = await deliveries(`/v1/batches/${ok.json.id}`);
      return list[0]?.state === "failed" ? list : null;
    });
    expect(d!.attempts).toBe(1);
    expect(d!.log[0]!.error).toMatch(/allowPrivateTargets/);
    expect(receiver.received).toHaveLength(0);
  });

  it("streams a batch's progress as server-sent events until it ends", async () => {
    await start({ latencyMs: 40 }, { concurrency: 2 });
    const batch = await createBatch(chatBatchLines(20));
    const res = await request(`${docket!.url}/v1/batches/${batch.json.id}/events?interval_ms=100`);
    expect(res.headers["content-type"]).toMatch(/^text\/event-stream/);
    const { parseEventStream } = await import("../../src/cli/event-stream.js");
    const events: Array<{ event: string; data: { status: string; request_counts: { completed: number } } }> =
      [];
    for await (const e of parseEventStream(res.body))
      events.push({ event: e.event, data: JSON.parse(e.data) });
    const last = events[events.length - 1]!;
    expect(last.event).toBe("end");
    expect(last.data).toMatchObject({ status: "completed", request_counts: { completed: 20 } });
    const progress = events.filter((e) => e.event === "progress").map((e) => e.data.request_counts.completed);
    expect(progress.length).toBeGreaterThan(1);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    expect(events.map((e) => e.event)).toContain("status");
  });

  it("shows the backlog draining in /metrics during a batch", async () => {
    await start({ latencyMs: 30 }, { concurrency: 2 });
    const batch = await createBatch(chatBatchLines(60));
    const backlog: number[] = [];
    let text = "";
    for (;;) {
      text = (await get("/metrics")).text;
      const m = /^docket_backlog_records\{route="fake",kind="batch"\} (\d+)$/m.exec(text);
      backlog.push(Number(m?.[1]));
      const status = JSON.parse((await get(`/v1/batches/${batch.json.id}`)).text).status;
      if (status === "completed") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    text = (await get("/metrics")).text;
    expect(text).toMatch(/^docket_backlog_records\{route="fake",kind="batch"\} 0$/m);
    const seen = backlog.slice(backlog.findIndex((n) => n > 0));
    expect(seen[0]).toBeGreaterThan(20);
    // draining: never up again once work started, through several distinct levels
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeLessThanOrEqual(seen[i - 1]!);
    expect(new Set(seen).size).toBeGreaterThan(3);
    expect(text).toMatch(/^docket_attempts_total\{route="fake",kind="batch",outcome="succeeded"\} 60$/m);
    expect(text).toMatch(/^docket_tokens_total\{route="fake",direction="output"\} [1-9]\d*$/m);
    expect(text).toMatch(/^docket_processing_seconds_count\{route="fake",kind="batch"\} 60$/m);
    expect(text).toMatch(/^docket_backlog_wait_seconds_count\{route="fake",kind="batch"\} 60$/m);
  });
});
