import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenAIBatchBackendConfig } from "../../src/config/batch-backend-config.js";
import { chatBatchLines } from "../support/batch-files.js";
import { pollBatch, startTestDocket, type TestDocket } from "../support/test-docket.js";
import { collectEvents, expectRecordChain, PartialFollower } from "./partial-reader.js";
import { fileBytes, submitChatBatch } from "./run-and-follow.js";

/**
 * Partial results on a provider batch route (issue 13's `openai-batch`), where records end in
 * bulk as each provider job is ingested: Docket A sends its records, 250 per provider job, to a
 * second Docket (B) through the OpenAI Batch API; reads of A every 200 ms still concatenate to
 * A's final files byte for byte.
 */
describe("partial results on an openai-batch route", () => {
  let provider: TestDocket;
  let docket: TestDocket;

  beforeAll(async () => {
    provider = await startTestDocket({ fake: { latencyMs: 5, fail400Marker: "FAIL400", seed: 3 } });
    const batch: OpenAIBatchBackendConfig = {
      type: "openai-batch",
      baseUrl: `${provider.docket.url}/v1`,
      apiKey: "test",
      minRecordsPerJob: 1,
      maxRecordsPerJob: 250,
      maxJobsInFlight: 2,
      pollMs: 50,
    };
    docket = await startTestDocket({
      tune: (c) => {
        c.routes = [
          {
            name: "batch",
            models: ["fake-*"],
            backend: batch,
            concurrency: 1,
            timeoutMs: 10_000,
            maxAttempts: 12,
          },
        ];
      },
    });
  });

  afterAll(async () => {
    await docket?.close();
    await provider?.close();
  });

  it("serves what each ingested provider job ended, in input order, into exactly the final files", async () => {
    const n = 2_000;
    const lines = chatBatchLines(n, { mark: (i) => (i % 61 === 5 ? "FAIL400 " : null) });
    const id = await submitChatBatch(docket, lines);
    const url = docket.docket.url;
    const events = collectEvents(`${url}/v1/batches/${id}/events?records=true&interval_ms=100`);
    const follower = new PartialFollower(`${url}/v1/batches/${id}/results`, { errors: true });
    await follower.followToEnd(200);
    const done = await pollBatch(docket.openai, id, ["completed"], 10_000);
    expect(done.request_counts).toMatchObject({ total: n, failed: 33 });
    expect(follower.text("output").equals(await fileBytes(docket, done.output_file_id))).toBe(true);
    expect(follower.text("errors").equals(await fileBytes(docket, done.error_file_id))).toBe(true);
    expect(follower.movedBeforeEnd).toBeGreaterThanOrEqual(2);
    expect(expectRecordChain(await events, n)).toBeGreaterThanOrEqual(2);
    // Every record went through the provider's batch API, none on-demand from A.
    expect(docket.fake.stats().requests).toBe(0);
    expect(provider.fake.stats().requests).toBe(n);
    const jobs = (await (await fetch(`${url}/v1/batches/${id}/provider_jobs`)).json()) as {
      data: Array<{ records: number }>;
    };
    expect(jobs.data.length).toBeGreaterThanOrEqual(8);
  }, 180_000);
});
