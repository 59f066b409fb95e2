import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeBackend, startFakeBackend } from "../../src/backends/fake/fake-backend-server.js";
import {
  type FakeAnthropic,
  startFakeAnthropic,
} from "../../src/backends/fake-anthropic/fake-anthropic-server.js";
import { defaultConfig } from "../../src/config/config.js";
import { type RunningDocket, startEmbedded } from "../../src/runtime/embedded.js";

const KEY = "docket-test-key";

interface ResultLine {
  custom_id: string;
  result: {
    type: string;
    message?: {
      type: string;
      role: string;
      content: Array<{ type: string; text?: string }>;
      stop_reason: string;
    };
    error?: { type: string; error: { type: string; message: string } };
  };
}

/**
 * The Message Batches API on Docket through the official `@anthropic-ai/sdk`, unchanged but for
 * `baseURL`: an Anthropic route (the fake Anthropic server), an OpenAI-compatible route (bridged:
 * params become chat requests, answers come back as Messages) and the API's own behaviour
 * (errors in Anthropic's shape, bad params errored, delete, list pagination, x-api-key).
 */
describe("Anthropic Message Batches API on Docket", () => {
  let dir: string;
  let docket: RunningDocket;
  let fakeAnthropic: FakeAnthropic;
  let fakeOpenAi: FakeBackend;
  let client: Anthropic;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "docket-anthropic-batches-"));
    fakeAnthropic = await startFakeAnthropic({ fail400Marker: "FAIL400", recordBodies: true });
    fakeOpenAi = await startFakeBackend({});
    const config = defaultConfig();
    config.dataDir = dir;
    config.server.port = 0;
    config.server.apiKey = KEY;
    config.worker.leaseMs = 5_000;
    config.worker.maintenanceMs = 100;
    config.worker.pollMs = 200;
    const route = { concurrency: 64, timeoutMs: 10_000, maxAttempts: 12 };
    config.routes = [
      {
        ...route,
        name: "claude",
        models: ["claude-*"],
        backend: { type: "anthropic", baseUrl: fakeAnthropic.url },
      },
      { ...route, name: "gpt", models: ["fake-*"], backend: { type: "openai", baseUrl: fakeOpenAi.url } },
    ];
    docket = await startEmbedded(config);
    client = new Anthropic({ baseURL: docket.url, apiKey: KEY, maxRetries: 0 });
  });

  afterAll(async () => {
    await docket?.close({ graceMs: 1000 });
    await fakeAnthropic?.close();
    await fakeOpenAi?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const request = (i: number, model: string, extra: Record<string, unknown> = {}) => ({
    custom_id: `req-${String(i).padStart(5, "0")}`,
    params: {
      model,
      max_tokens: 16,
      system: "Answer briefly.",
      messages: [{ role: "user" as const, content: `Question ${i}: what is ${i} + ${i}?` }],
      ...extra,
    },
  });

  async function untilEnded(id: string, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const batch = await client.messages.batches.retrieve(id);
      if (batch.processing_status === "ended") return batch;
      if (Date.now() > deadline) throw new Error(`batch ${id} still ${batch.processing_status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function results(id: string): Promise<ResultLine[]> {
    const out: ResultLine[] = [];
    for await (const line of await client.messages.batches.results(id)) out.push(line as ResultLine);
    return out;
  }

  it.each([
    ["an Anthropic route", "claude-sonnet-test"],
    ["an OpenAI-compatible route (bridged)", "fake-model"],
  ])("runs 1,000 requests on %s: create → retrieve → results, in input order", async (_, model) => {
    const requests = Array.from({ length: 1000 }, (_, i) => request(i, model));
    const created = await client.messages.batches.create({ requests });
    expect(created).toMatchObject({
      type: "message_batch",
      processing_status: "in_progress",
      ended_at: null,
      cancel_initiated_at: null,
      archived_at: null,
      results_url: null,
    });
    expect(created.id).toMatch(/^msgbatch_/);
    expect(Date.parse(created.expires_at) - Date.parse(created.created_at)).toBe(24 * 3_600_000);

    const ended = await untilEnded(created.id);
    expect(ended.request_counts).toEqual({
      processing: 0,
      succeeded: 1000,
      errored: 0,
      canceled: 0,
      expired: 0,
    });
    expect(ended.results_url).toBe(`${docket.url}/v1/messages/batches/${created.id}/results`);
    expect(Date.parse(ended.ended_at!)).toBeGreaterThanOrEqual(Date.parse(ended.created_at));

    const lines = await results(created.id);
    expect(lines.map((l) => l.custom_id)).toEqual(requests.map((r) => r.custom_id));
    if (model.startsWith("claude")) {
      // Bytes in = bytes out: each request's params reached the Anthropic route as the SDK sent them.
      const sent = new Set(requests.map((r) => JSON.stringify(r.params)));
      const received = fakeAnthropic.stats().bodies!.filter((b) => b.path === "/v1/messages");
      // Every request arrived (a few may arrive twice: on a loaded machine a 5 s lease can lapse
      // or a call time out, and delivery is at least once), and nothing arrived that was not sent.
      expect(new Set(received.map((b) => b.request)).size).toBe(1000);
      expect(received.every((b) => sent.has(b.request))).toBe(true);
    }
    for (const line of lines) {
      expect(line.result.type).toBe("succeeded");
      expect(line.result.message).toMatchObject({ type: "message", role: "assistant" });
      expect(line.result.message!.content[0]!.type).toBe("text");
      expect(["end_turn", "max_tokens"]).toContain(line.result.message!.stop_reason);
    }
  });

  it("validates params per request: bad ones come back errored, the rest run", async () => {
    const requests = [
      request(0, "claude-sonnet-test"),
      {
        custom_id: "no-max-tokens",
        params: { model: "claude-sonnet-test", messages: [{ role: "user", content: "x" }] },
      },
      request(2, "nobody-serves-this"),
      request(3, "fake-model", { top_k: 5 }),
      request(4, "claude-sonnet-test", { messages: [{ role: "user", content: "FAIL400 please" }] }),
      request(5, "fake-model"),
    ];
    // The SDK's types hold one of the bad params back; the API is what is under test.
    const created = await client.messages.batches.create({
      requests,
    } as Anthropic.Messages.BatchCreateParams);
    const ended = await untilEnded(created.id);
    expect(ended.request_counts).toEqual({
      processing: 0,
      succeeded: 2,
      errored: 4,
      canceled: 0,
      expired: 0,
    });
    const byId = new Map((await results(created.id)).map((l) => [l.custom_id, l.result]));
    expect(byId.get("req-00000")!.type).toBe("succeeded");
    expect(byId.get("req-00005")!.type).toBe("succeeded");
    const error = (id: string) => byId.get(id)!.error!;
    expect(error("no-max-tokens")).toMatchObject({
      type: "error",
      error: { type: "invalid_request_error", message: "params.max_tokens: Field required." },
    });
    expect(error("req-00002").error.message).toContain('no route serves the model "nobody-serves-this"');
    expect(error("req-00003").error).toMatchObject({ type: "invalid_request_error" });
    expect(error("req-00003").error.message).toMatch(/^params\.top_k: /);
    // A Message Batch is a Docket job like any other: its event stream (SSE) works, ending with `end`.
    const events = await fetch(`${docket.url}/v1/batches/${created.id}/events`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(events.headers.get("content-type")).toContain("text/event-stream");
    const stream = await events.text();
    expect(stream).toContain("event: end");
    expect(stream).toContain(created.id);
    // The Anthropic backend's own 400 comes back as it answered.
    expect(error("req-00004")).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
  });

  it("refuses at creation what Anthropic refuses at once, in its error shape, naming the request", async () => {
    const refused = async (body: unknown) => {
      const err = await client.messages.batches
        .create(body as Anthropic.Messages.BatchCreateParams)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Anthropic.BadRequestError);
      const e = err as InstanceType<typeof Anthropic.BadRequestError>;
      expect(e.error).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
      return (e.error as { error: { message: string } }).error.message;
    };
    const ok = request(0, "claude-sonnet-test");
    expect(await refused({ requests: [ok, ok] })).toContain(
      "requests.1.custom_id: Duplicate custom_id 'req-00000'",
    );
    expect(await refused({ requests: [{ ...ok, custom_id: "has space" }] })).toContain(
      "requests.0.custom_id",
    );
    expect(await refused({ requests: [{ ...ok, custom_id: "x".repeat(65) }] })).toContain(
      "requests.0.custom_id",
    );
    expect(await refused({ requests: [{ custom_id: "a", params: [1] }] })).toContain(
      "requests.0.params: Input should be a valid dictionary",
    );
    expect(await refused({ requests: [] })).toContain("at least 1 item");
    expect(await refused({ requests: [ok], model: "x" })).toContain("model: Extra inputs are not permitted");
  });

  it("holds Anthropic's limits: 100,000 requests (400) and 256 MB (413), in its error shape", async () => {
    const post = (body: string) =>
      fetch(`${docket.url}/v1/messages/batches`, {
        method: "POST",
        headers: { "x-api-key": KEY, "content-type": "application/json" },
        body,
      });
    const many = `{"requests":[${Array.from({ length: 100_001 }, (_, i) => `{"custom_id":"r${i}","params":{}}`).join(",")}]}`;
    const tooMany = await post(many);
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toMatchObject({
      type: "error",
      error: { type: "invalid_request_error", message: expect.stringContaining("at most 100000 requests") },
    });
    // A body that says it is over 256 MB is refused before it is read.
    const { request } = await import("node:http");
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        `${docket.url}/v1/messages/batches`,
        { method: "POST", headers: { "x-api-key": KEY, "content-length": 300 * 1024 * 1024 } },
        (res) => {
          let body = "";
          res.on("data", (c) => {
            body += c;
          });
          res.on("end", () => resolve({ status: res.statusCode!, body }));
        },
      );
      req.on("error", reject);
      req.write('{"requests":[');
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ type: "error", error: { type: "request_too_large" } });
  });

  it("answers an unknown (or OpenAI) batch id with 404 in Anthropic's shape", async () => {
    await expect(client.messages.batches.retrieve("msgbatch_nope")).rejects.toBeInstanceOf(
      Anthropic.NotFoundError,
    );
    const res = await fetch(`${docket.url}/v1/messages/batches/msgbatch_nope`, {
      headers: { "x-api-key": KEY },
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      type: "error",
      error: { type: "not_found_error", message: "No message batch found with id 'msgbatch_nope'." },
      request_id: null,
    });
    const openai = new OpenAI({ baseURL: `${docket.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const file = await openai.files.create({
      file: new File(
        [
          `${JSON.stringify({ custom_id: "a", method: "POST", url: "/v1/chat/completions", body: { model: "fake-model", messages: [{ role: "user", content: "x" }] } })}\n`,
        ],
        "in.jsonl",
      ),
      purpose: "batch",
    });
    const batch = await openai.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
    });
    await expect(client.messages.batches.retrieve(batch.id)).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    // And the other way round: OpenAI's list holds no Message Batch.
    const listed = await openai.batches.list({ limit: 100 });
    expect(listed.data.every((b) => !b.id.startsWith("msgbatch_"))).toBe(true);
  });

  it("accepts x-api-key as well as Bearer, and refuses a missing key in Anthropic's shape", async () => {
    const get = (headers: Record<string, string>) =>
      fetch(`${docket.url}/v1/messages/batches?limit=1`, { headers });
    expect((await get({ "x-api-key": KEY })).status).toBe(200);
    expect((await get({ authorization: `Bearer ${KEY}` })).status).toBe(200);
    const wrong = await get({ "x-api-key": "nope" });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    const missing = await get({});
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });
  });

  it("deletes only ended batches, with their records and files; then 404", async () => {
    // Every request is refused (429) until the early delete has been tried, so the batch cannot
    // end first: a 200 ms latency alone let it end before the delete on a loaded machine.
    fakeAnthropic.setOptions({ latencyMs: 200, rate429: 1, retryAfterSeconds: 1 });
    try {
      const created = await client.messages.batches.create({
        requests: Array.from({ length: 20 }, (_, i) => request(i, "claude-sonnet-test")),
      });
      const early = await client.messages.batches.delete(created.id).catch((e: unknown) => e);
      expect(early).toBeInstanceOf(Anthropic.BadRequestError);
      fakeAnthropic.setOptions({ rate429: 0 });
      await untilEnded(created.id);
      const job = await docket.store.getJob(created.id);
      expect(await client.messages.batches.delete(created.id)).toEqual({
        id: created.id,
        type: "message_batch_deleted",
      });
      await expect(client.messages.batches.retrieve(created.id)).rejects.toBeInstanceOf(
        Anthropic.NotFoundError,
      );
      expect(await docket.store.getFile(job!.inputFileId)).toBeUndefined();
      expect(await docket.store.getFile(job!.outputFileId!)).toBeUndefined();
      expect(await docket.store.readFinished(created.id, -1, 10)).toEqual([]);
    } finally {
      fakeAnthropic.setOptions({ latencyMs: 0, rate429: 0 });
    }
  });

  it("lists newest first with after_id / before_id / limit, as the SDK pages", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await client.messages.batches.create({ requests: [request(i, "claude-sonnet-test")] })).id);
    }
    const newestFirst = [...ids].reverse();
    const first = await client.messages.batches.list({ limit: 2 });
    expect(first.data.map((b) => b.id)).toEqual(newestFirst.slice(0, 2));
    expect(first.has_more).toBe(true);
    expect(first.first_id).toBe(newestFirst[0]);
    expect(first.last_id).toBe(newestFirst[1]);
    const older = await client.messages.batches.list({ limit: 2, after_id: newestFirst[1] });
    expect(older.data.map((b) => b.id)).toEqual(newestFirst.slice(2, 4));
    const newer = await client.messages.batches.list({ limit: 2, before_id: newestFirst[3] });
    expect(newer.data.map((b) => b.id)).toEqual(newestFirst.slice(1, 3));
    expect(newer.has_more).toBe(true);
    // Auto-pagination walks every page (earlier tests' batches follow these five).
    const all: string[] = [];
    for await (const b of client.messages.batches.list({ limit: 2 })) all.push(b.id);
    expect(all.slice(0, 5)).toEqual(newestFirst);
    expect(new Set(all).size).toBe(all.length);
    await expect(client.messages.batches.list({ limit: 1001 })).rejects.toBeInstanceOf(
      Anthropic.BadRequestError,
    );
  });
});
