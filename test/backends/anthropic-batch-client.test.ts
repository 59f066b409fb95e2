import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AnthropicBatchClient } from "../../src/backends/batch-apis/anthropic-batch/anthropic-batch-client.js";
import type { BatchApiClient, BatchApiResult } from "../../src/backends/batch-apis/batch-api-client.js";
import { BatchApiError } from "../../src/backends/batch-apis/batch-http/batch-api-error.js";
import {
  type FakeAnthropic,
  startFakeAnthropic,
} from "../../src/backends/fake-anthropic/fake-anthropic-server.js";
import { startTestDocket, type TestDocket } from "../support/test-docket.js";

/** The anthropic-batch client against the fake Anthropic Message Batches API (real HTTP). */
const MARKER = "PLEASE_FAIL_THIS";
const KEY = "sk-ant-test";
let fake: FakeAnthropic;
let client: AnthropicBatchClient;

beforeAll(async () => {
  fake = await startFakeAnthropic({ fail400Marker: MARKER, apiKey: KEY });
  client = newClient(fake.url);
});
afterAll(async () => {
  await client?.close();
  await fake?.close();
});
beforeEach(() => {
  fake.batches.setOptions({
    turnaroundMs: 0,
    errorRate: 0,
    createError: null,
    expireHalf: false,
    maxInFlight: null,
  });
});

function newClient(baseUrl: string, apiKey = KEY): AnthropicBatchClient {
  return new AnthropicBatchClient({ baseUrl, apiKey });
}

function message(content: string): string {
  return `{"model": "claude-test", "max_tokens": 16, "temperature": 1.0, "messages": [{"role": "user", "content": ${JSON.stringify(content)}}]}`;
}

function inputOf(c: BatchApiClient, bodies: { id: number; body: string }[], resumeSinceMs?: number) {
  const lines = bodies.map((b) =>
    c.encode({ recordId: b.id, endpoint: "/v1/messages", body: b.body, model: "claude-test" }),
  );
  return {
    lines: async function* () {
      yield* lines;
    },
    count: lines.length,
    bytes: lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0),
    model: "claude-test",
    endpoint: "/v1/messages",
    ...(resumeSinceMs === undefined ? {} : { resumeSinceMs }),
  };
}

const bodiesOf = (ids: number[], text = "hello") => ids.map((id) => ({ id, body: message(`${text} ${id}`) }));

async function waitFor(c: BatchApiClient, id: string, states: string[]): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { state } = await c.status(id);
    if (states.includes(state)) return state;
    if (Date.now() > deadline) throw new Error(`provider job ${id} still ${state}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function collect(it: AsyncIterable<BatchApiResult>): Promise<BatchApiResult[]> {
  const out: BatchApiResult[] = [];
  for await (const r of it) out.push(r);
  return out;
}

async function refusal(p: Promise<unknown>): Promise<BatchApiError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BatchApiError);
  return err as BatchApiError;
}

describe("anthropic-batch client", () => {
  it("encodes a Message Batch request with the params byte for byte", () => {
    const line = client.encode({ recordId: 42, endpoint: "/v1/messages", body: '{"a":\n1.0}', model: "m" });
    expect(line).toBe('{"custom_id":"xxxxxxxxxxxxxxxx-42","params":{"a": 1.0}}');
    expect(client.recordIdOf(client.keyOf(42))).toBe(42);
    expect(client.recordIdOf("req-1")).toBeNull();
    expect(client.accepts("/v1/messages")).toBe(true);
    expect(client.accepts("/v1/chat/completions")).toBe(false);
  });

  it("submits once per token; after a restart, finds the batch once it can prove it is its own", async () => {
    fake.batches.resetStats();
    fake.batches.setOptions({ turnaroundMs: 400 });
    const before = Date.now();
    const token = `pj_once_${before}`;
    const bodies = bodiesOf([1, 2, 3]);
    const { providerJobId } = await client.submit(token, inputOf(client, bodies));
    expect((await client.submit(token, inputOf(client, bodies))).providerJobId).toBe(providerJobId);

    // A restarted process resubmitting: while the batch runs nothing tells whose it is, so it waits.
    const restarted = newClient(fake.url);
    const undetermined = await refusal(restarted.submit(token, inputOf(restarted, bodies, before)));
    expect(undetermined).toMatchObject({ code: "provider_job_undetermined", retryable: true });
    expect(undetermined.retryAfterMs).toBeGreaterThan(0);

    await waitFor(client, providerJobId, ["ended"]);
    expect((await restarted.submit(token, inputOf(restarted, bodies, before))).providerJobId).toBe(
      providerJobId,
    );
    expect(await newClient(fake.url).findByToken(token, before, { count: 3 })).toBe(providerJobId);
    // Another token's search sees only batches it can prove are not its own.
    expect(await newClient(fake.url).findByToken(`${token}_other`, before)).toBeNull();
    // Candidates with another count are not even looked at; later ones are not candidates.
    expect(await newClient(fake.url).findByToken(token, before, { count: 4 })).toBeNull();
    expect(await newClient(fake.url).findByToken(token, Date.now() + 10 * 60_000)).toBeNull();

    const stats = fake.batches.stats();
    expect(stats.created).toBe(1);
    expect(Object.values(stats.submittedPerCustomId)).toEqual([1, 1, 1]);
  });

  it("finds by token: a foreign batch is never taken, and of two proven batches the oldest wins", async () => {
    const before = Date.now();
    const token = `pj_twice_${before}`;
    // Someone else's batch with the same number of requests, ended.
    const foreign = await fetch(`${fake.url}/v1/messages/batches`, {
      method: "POST",
      headers: { "x-api-key": KEY, "anthropic-version": "2023-06-01", "content-type": "application/json" },
      body: JSON.stringify({ requests: [{ custom_id: "theirs", params: JSON.parse(message("x")) }] }),
    });
    const foreignId = ((await foreign.json()) as { id: string }).id;
    await waitFor(client, foreignId, ["ended"]);
    expect(await newClient(fake.url).findByToken(token, before, { count: 1 })).toBeNull();

    // Two processes that each submitted the token (as an older, unsafe recovery would have).
    const first = await newClient(fake.url).submit(token, inputOf(client, bodiesOf([60])));
    await new Promise((r) => setTimeout(r, 5));
    const second = await newClient(fake.url).submit(token, inputOf(client, bodiesOf([60])));
    expect(second.providerJobId).not.toBe(first.providerJobId);
    await waitFor(client, second.providerJobId, ["ended"]);
    expect(await newClient(fake.url).findByToken(token, before, { count: 1 })).toBe(first.providerJobId);
  });

  it("returns each result: messages byte for byte, final and retryable errors, expired requests", async () => {
    fake.batches.setOptions({ expireHalf: true });
    const bodies = bodiesOf([10, 11, 12, 13]);
    bodies[2] = { id: 12, body: message(`please ${MARKER}`) };
    const { providerJobId } = await client.submit(`pj_results_${Date.now()}`, inputOf(client, bodies));
    expect(await waitFor(client, providerJobId, ["ended"])).toBe("ended");
    const results = await collect(client.results(providerJobId));
    const byId = new Map(results.map((r) => [client.recordIdOf(r.key), r]));
    expect([...byId.keys()].sort()).toEqual([10, 11, 12, 13]);
    const ok = byId.get(10)!;
    expect(ok).toMatchObject({ ok: true, statusCode: 200 });
    if (ok.ok) {
      expect(JSON.parse(ok.body)).toMatchObject({ type: "message", role: "assistant" });
      expect(ok.usage?.outputTokens).toBeGreaterThan(0);
      const raw = await (
        await fetch(`${fake.url}/v1/messages/batches/${providerJobId}/results`, {
          headers: { "x-api-key": KEY, "anthropic-version": "2023-06-01" },
        })
      ).text();
      expect(raw).toContain(`"message":${ok.body}}}`);
    }
    expect(byId.get(11)).toMatchObject({ ok: false, retryable: true, code: "batch_expired" });
    expect(byId.get(12)).toMatchObject({
      ok: false,
      retryable: false,
      code: "invalid_request_error",
      statusCode: 400,
    });
    expect(byId.get(13)).toMatchObject({ ok: false, retryable: true, code: "batch_expired" });

    fake.batches.setOptions({ expireHalf: false, errorRate: 1 });
    const failing = await client.submit(`pj_errors_${Date.now()}`, inputOf(client, bodiesOf([20, 21])));
    await waitFor(client, failing.providerJobId, ["ended"]);
    for (const r of await collect(client.results(failing.providerJobId))) {
      expect(r).toMatchObject({ ok: false, retryable: true, code: "api_error", statusCode: 500 });
    }
  });

  it("cancels a batch: its requests come back canceled and retryable", async () => {
    fake.batches.setOptions({ turnaroundMs: 60_000 });
    const { providerJobId } = await client.submit(
      `pj_cancel_${Date.now()}`,
      inputOf(client, bodiesOf([30, 31])),
    );
    expect((await client.status(providerJobId)).state).toBe("in_progress");
    await client.cancel(providerJobId);
    expect(await waitFor(client, providerJobId, ["cancelled"])).toBe("cancelled");
    await client.cancel(providerJobId); // already ended: not an error
    const results = await collect(client.results(providerJobId));
    expect(results).toHaveLength(2);
    for (const r of results) expect(r).toMatchObject({ ok: false, retryable: true, code: "batch_canceled" });
  });

  it("counts batches in flight, and a create beyond the provider's limit is a retryable 429", async () => {
    fake.batches.setOptions({ turnaroundMs: 60_000 });
    const idle = await client.inFlight("claude-test");
    fake.batches.setOptions({ maxInFlight: idle + 2 });
    fake.batches.resetStats();
    const ids: string[] = [];
    for (const n of [1, 2]) {
      ids.push(
        (await client.submit(`pj_slot_${n}_${Date.now()}`, inputOf(client, bodiesOf([40 + n]))))
          .providerJobId,
      );
    }
    expect(await client.inFlight("claude-test")).toBe(idle + 2);
    const throttled = await refusal(
      client.submit(`pj_slot_3_${Date.now()}`, inputOf(client, bodiesOf([43]))),
    );
    expect(throttled).toMatchObject({ status: 429, code: "rate_limit_error", retryable: true });
    expect(throttled.retryAfterMs).not.toBeNull();
    expect(fake.batches.stats().maxInFlight).toBe(idle + 2);
    for (const id of ids) await client.cancel(id);
    for (const id of ids) await waitFor(client, id, ["cancelled"]);
    expect(await client.inFlight("claude-test")).toBe(idle);
  });

  it("reports a refused batch as final, and a wrong key as final", async () => {
    fake.batches.setOptions({ createError: "invalid_request_error" });
    const refused = await refusal(client.submit(`pj_refused_${Date.now()}`, inputOf(client, bodiesOf([50]))));
    expect(refused).toMatchObject({ status: 400, code: "invalid_request_error", retryable: false });
    fake.batches.setOptions({ createError: null });
    const wrongKey = newClient(fake.url, "sk-wrong");
    expect(await refusal(wrongKey.status("msgbatch_x"))).toMatchObject({ status: 401, retryable: false });
  });
});

describe("anthropic-batch client against Docket's own Message Batches API", () => {
  let docket: TestDocket;
  let upstream: FakeAnthropic;

  beforeAll(async () => {
    upstream = await startFakeAnthropic({ fail400Marker: MARKER });
    docket = await startTestDocket({
      route: { models: ["claude-*"], backend: { type: "anthropic", baseUrl: upstream.url }, maxAttempts: 1 },
    });
  });
  afterAll(async () => {
    await docket?.close();
    await upstream?.close();
  });

  it("submits, finds by token, and reads the results", async () => {
    const c = newClient(docket.docket.url, "test");
    const before = Date.now();
    const token = `pj_docket_${before}`;
    const bodies = bodiesOf([1, 2]);
    bodies.push({ id: 3, body: message(`please ${MARKER}`) });
    const { providerJobId } = await c.submit(token, inputOf(c, bodies));
    expect(providerJobId).toMatch(/^msgbatch_/);
    expect(await waitFor(c, providerJobId, ["ended"])).toBe("ended");
    expect(await newClient(docket.docket.url, "test").findByToken(token, before, { count: 3 })).toBe(
      providerJobId,
    );
    expect(await c.inFlight("claude-test")).toBe(0);
    const results = await collect(c.results(providerJobId));
    const byId = new Map(results.map((r) => [c.recordIdOf(r.key), r]));
    expect(byId.get(1)).toMatchObject({ ok: true, statusCode: 200 });
    expect(byId.get(2)).toMatchObject({ ok: true });
    expect(byId.get(3)).toMatchObject({ ok: false, retryable: false, code: "invalid_request_error" });
  });
});
