import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BatchApiClient, BatchApiResult } from "../../src/backends/batch-apis/batch-api-client.js";
import { OpenAiBatchClient } from "../../src/backends/batch-apis/openai-batch/openai-batch-client.js";
import { startTestDocket, type TestDocket } from "../support/test-docket.js";

/**
 * The openai-batch client against a second Docket (real HTTP, real SQLite) over the fake OpenAI
 * backend: Docket speaks OpenAI's Files and Batches API, the chosen provider for tests.
 */
const MARKER = "PLEASE_FAIL_THIS";
let provider: TestDocket;
let client: OpenAiBatchClient;

beforeAll(async () => {
  provider = await startTestDocket({ fake: { fail400Marker: MARKER }, route: { maxAttempts: 1 } });
  client = newClient();
});
afterAll(async () => {
  await client?.close();
  await provider?.close();
});

function newClient(): OpenAiBatchClient {
  return new OpenAiBatchClient({ baseUrl: `${provider.docket.url}/v1`, apiKey: "test" });
}

function chat(content: string): string {
  // Spacing and a 1.0 that a parse/stringify round trip would rewrite.
  return `{"model": "fake-1", "temperature": 1.0, "messages": [{"role": "user", "content": ${JSON.stringify(content)}}]}`;
}

function inputOf(c: BatchApiClient, bodies: { id: number; body: string }[]) {
  const lines = bodies.map((b) =>
    c.encode({ recordId: b.id, endpoint: "/v1/chat/completions", body: b.body, model: "fake-1" }),
  );
  return {
    lines: async function* () {
      yield* lines;
    },
    count: lines.length,
    bytes: lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0),
    model: "fake-1",
    endpoint: "/v1/chat/completions",
  };
}

async function waitFor(c: BatchApiClient, id: string, states: string[]): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { state } = await c.status(id);
    if (states.includes(state)) return state;
    if (Date.now() > deadline) throw new Error(`provider job ${id} still ${state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function collect(it: AsyncIterable<BatchApiResult>): Promise<BatchApiResult[]> {
  const out: BatchApiResult[] = [];
  for await (const r of it) out.push(r);
  return out;
}

describe("openai-batch client", () => {
  it("encodes a record as one batch line with the body byte for byte (line breaks become spaces)", () => {
    const line = client.encode({ recordId: 42, endpoint: "/v1/embeddings", body: '{"a":\n1.0}', model: "m" });
    expect(line).toBe('{"custom_id":"docket-42","method":"POST","url":"/v1/embeddings","body":{"a": 1.0}}');
    expect(client.recordIdOf(client.keyOf(42))).toBe(42);
    expect(client.recordIdOf("someone-else")).toBeNull();
    expect(client.accepts("/v1/responses")).toBe(true);
    expect(client.accepts("/v1/messages")).toBe(false);
  });

  it("submits once per token, finds the batch by token, and returns each result (errors included)", async () => {
    const before = Date.now();
    const token = `pj_${before}`;
    const bodies = [1, 2, 3].map((id) => ({ id, body: chat(`hello ${id}`) }));
    bodies.push({ id: 4, body: chat(`please ${MARKER}`) });
    const { providerJobId } = await client.submit(token, inputOf(client, bodies));

    // Again, and from a fresh client (a restarted process): the same batch, no second one.
    expect((await client.submit(token, inputOf(client, bodies))).providerJobId).toBe(providerJobId);
    const restarted = newClient();
    expect((await restarted.submit(token, inputOf(restarted, bodies))).providerJobId).toBe(providerJobId);
    const listed = await provider.openai.batches.list({ limit: 100 });
    expect(listed.data.filter((b) => b.metadata?.docket_provider_job === token)).toHaveLength(1);

    expect(await restarted.findByToken(token, before)).toBe(providerJobId);
    expect(await restarted.findByToken("pj_never_made", before)).toBeNull();
    // A search that starts after the batch was made does not see it.
    expect(await restarted.findByToken(token, Date.now() + 10 * 60_000)).toBeNull();

    expect(await waitFor(client, providerJobId, ["ended", "failed"])).toBe("ended");
    const results = await collect(client.results(providerJobId));
    expect(results.map((r) => client.recordIdOf(r.key)).sort()).toEqual([1, 2, 3, 4]);
    const ok = results.filter((r) => r.ok);
    expect(ok).toHaveLength(3);
    for (const r of ok) {
      expect(r.statusCode).toBe(200);
      expect(JSON.parse(r.body).object).toBe("chat.completion");
      expect(r.usage?.inputTokens).toBeGreaterThan(0);
    }
    const failed = results.find((r) => !r.ok);
    expect(failed).toMatchObject({ key: "docket-4", ok: false, retryable: false, statusCode: 400 });

    // Bodies are the provider's output file's text, byte for byte.
    const batch = await provider.openai.batches.retrieve(providerJobId);
    const output = await (await provider.openai.files.content(batch.output_file_id!)).text();
    for (const r of ok) if (r.ok) expect(output).toContain(`"body":${r.body}}`);
  });

  it("finds the oldest of two batches that carry the same token", async () => {
    const before = Date.now();
    const token = `pj_twice_${before}`;
    const line = `{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":${chat("x")}}\n`;
    const upload = async () =>
      (await provider.openai.files.create({ file: new File([line], "in.jsonl"), purpose: "batch" })).id;
    const make = async () =>
      (
        await provider.openai.batches.create({
          input_file_id: await upload(),
          endpoint: "/v1/chat/completions",
          completion_window: "24h",
          metadata: { docket_provider_job: token },
        })
      ).id;
    const first = await make();
    await new Promise((r) => setTimeout(r, 1100)); // created_at is in seconds
    const second = await make();
    expect(second).not.toBe(first);
    expect(await newClient().findByToken(token, before)).toBe(first);
    for (const id of [first, second]) await waitFor(client, id, ["ended"]);
  });

  it("counts batches in flight for a model and cancels one; cancelled requests come back retryable", async () => {
    provider.fake.setOptions({ latencyMs: 2_000 });
    try {
      const idle = await client.inFlight("fake-1");
      const token = `pj_cancel_${Date.now()}`;
      const bodies = Array.from({ length: 200 }, (_, i) => ({ id: 1000 + i, body: chat(`slow ${i}`) }));
      const { providerJobId } = await client.submit(token, inputOf(client, bodies));
      await waitFor(client, providerJobId, ["in_progress"]);
      expect(await client.inFlight("fake-1")).toBe(idle + 1);
      expect(await client.inFlight("another-model")).toBe(0);

      await client.cancel(providerJobId);
      expect(await waitFor(client, providerJobId, ["cancelled"])).toBe("cancelled");
      await client.cancel(providerJobId); // already over: not an error
      expect(await client.inFlight("fake-1")).toBe(idle);

      const results = await collect(client.results(providerJobId));
      const cancelled = results.filter((r) => !r.ok && r.code === "batch_cancelled");
      expect(cancelled.length).toBeGreaterThan(0);
      for (const r of cancelled) expect(r).toMatchObject({ retryable: true, statusCode: null });
    } finally {
      provider.fake.setOptions({ latencyMs: 0 });
    }
  });

  it("reports a batch the provider failed as a whole, with its reason", async () => {
    const { providerJobId } = await client.submit(`pj_bad_${Date.now()}`, {
      lines: async function* () {
        yield "this is not JSON";
      },
      count: 1,
      bytes: 17,
      model: "fake-1",
      endpoint: "/v1/chat/completions",
    });
    expect(await waitFor(client, providerJobId, ["failed", "ended"])).toBe("failed");
    expect((await client.status(providerJobId)).error).toMatch(/line 1/);
  });
});
