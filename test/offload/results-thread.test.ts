import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AnthropicBatchClient } from "../../src/backends/batch-apis/anthropic-batch/anthropic-batch-client.js";
import {
  type FakeAnthropic,
  startFakeAnthropic,
} from "../../src/backends/fake-anthropic/fake-anthropic-server.js";
import { batchClientSpec } from "../../src/offload/batch-client-spec.js";
import { classifyProviderError } from "../../src/offload/provider-error.js";
import { INGEST_BATCH, type ResultBatch, resultBatches } from "../../src/offload/result-batches.js";
import { ResultsReader, THREAD_MIN_RECORDS } from "../../src/offload/results-reader.js";

/**
 * Large provider jobs' results are read on a thread (results-reader.ts): the batches ingest gets
 * from it must be exactly the ones it would read itself, errors must reach it as the provider
 * sent them, and a read left early must not disturb the next. Real HTTP, the fake Anthropic
 * Message Batches API, the thread running the built module (dist/, as `npm test` builds first).
 */
const N = THREAD_MIN_RECORDS + 1_500;
const KEY = "sk-ant-test";
let fake: FakeAnthropic;
let client: AnthropicBatchClient;
let reader: ResultsReader;
let providerJobId: string;

beforeAll(async () => {
  fake = await startFakeAnthropic({ apiKey: KEY });
  fake.batches.setOptions({ turnaroundMs: 0, errorRate: 0.05 });
  const backend = { type: "anthropic-batch" as const, baseUrl: fake.url, apiKey: KEY };
  client = new AnthropicBatchClient({ baseUrl: fake.url, apiKey: KEY });
  reader = new ResultsReader({ client, spec: batchClientSpec(backend) });
  const lines = Array.from({ length: N }, (_, i) =>
    client.encode({
      recordId: i + 1,
      endpoint: "/v1/messages",
      // Multi-byte text, so that slices of the handed-over text are checked on UTF-16 boundaries.
      body: `{"model":"claude-test","max_tokens":8,"messages":[{"role":"user","content":"résumé 😀 ${i}"}]}`,
      model: "claude-test",
    }),
  );
  const submitted = await client.submit("pj_thread", {
    lines: async function* () {
      yield* lines;
    },
    count: N,
    bytes: lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0),
    model: "claude-test",
    endpoint: "/v1/messages",
  });
  providerJobId = submitted.providerJobId;
  for (let i = 0; (await client.status(providerJobId)).state !== "ended"; i++) {
    if (i > 600) throw new Error("the fake's batch did not end");
    await new Promise((r) => setTimeout(r, 50));
  }
}, 60_000);

afterAll(async () => {
  await reader?.close();
  await client?.close();
  await fake?.close();
});

async function collect(batches: AsyncIterable<ResultBatch>): Promise<ResultBatch[]> {
  const out: ResultBatch[] = [];
  for await (const b of batches) out.push(b);
  return out;
}

describe("reading a provider job's results on a thread", () => {
  it("gives ingest the same batches, byte for byte, as reading them in-process", async () => {
    const here = await collect(resultBatches(client, providerJobId));
    const threaded = await collect(reader.read({ providerJobId, records: N }));
    expect(reader.threadRunning).toBe(true);
    expect(threaded.map((b) => b.results.length)).toEqual([INGEST_BATCH, N - INGEST_BATCH]);
    expect(threaded).toEqual(here);
    const failed = threaded.flatMap((b) => b.results).filter((r) => !r.ok);
    expect(failed.length).toBeGreaterThan(0); // errors crossed too
    expect(threaded.flatMap((b) => b.recordIds)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
  });

  it("reads a small provider job in-process", async () => {
    const small = new ResultsReader({
      client,
      spec: batchClientSpec({ type: "anthropic-batch", baseUrl: fake.url, apiKey: KEY }),
    });
    const batches = await collect(small.read({ providerJobId, records: THREAD_MIN_RECORDS - 1 }));
    expect(small.threadRunning).toBe(false);
    expect(batches.flatMap((b) => b.recordIds).length).toBe(N);
  });

  it("hands the provider's refusal over as the provider sent it", async () => {
    const err = await collect(reader.read({ providerJobId: "msgbatch_nope", records: N })).then(
      () => null,
      (e: unknown) => e as Error & { status?: number },
    );
    expect(err?.status).toBe(404);
    expect(classifyProviderError(err).retryable).toBe(false);
  });

  it("stops a read left early, and reads the next one whole", async () => {
    for await (const b of reader.read({ providerJobId, records: N })) {
      expect(b.results.length).toBe(INGEST_BATCH);
      break;
    }
    const again = await collect(reader.read({ providerJobId, records: N }));
    expect(again.flatMap((b) => b.recordIds).length).toBe(N);
  });
});
