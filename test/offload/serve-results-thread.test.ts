import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FakeAnthropic,
  startFakeAnthropic,
} from "../../src/backends/fake-anthropic/fake-anthropic-server.js";
import { THREAD_MIN_RECORDS } from "../../src/offload/results-reader.js";
import { type ServedDocket, serveWithConfig } from "../support/child-docket.js";

/**
 * A Message Batch large enough for its provider job's results to be read on a results thread,
 * through `docket serve` as shipped (the built CLI bundle, whose modules find the thread's file
 * beside their compiled selves): every answer comes back once, in order, and the server never
 * says it fell back to reading in-process (results-thread.test.ts holds the thread's batches
 * equal, byte for byte, to reading in-process).
 */
const N = THREAD_MIN_RECORDS + 1_000;
const MODEL = "claude-3-5-haiku-latest";

describe("docket serve ingests a large provider job's results on a thread", () => {
  let fake: FakeAnthropic;
  let child: ServedDocket;

  beforeAll(async () => {
    fake = await startFakeAnthropic({ recordBodies: true });
    fake.batches.setOptions({ turnaroundMs: 50 });
    child = await serveWithConfig("docket-results-thread-", {
      worker: { maintenanceMs: 100, pollMs: 200 },
      routes: [
        {
          name: "claude-batch",
          models: ["claude-*"],
          backend: { type: "anthropic-batch", baseUrl: fake.url, apiKey: "k", pollMs: 100 },
          concurrency: 1,
          timeoutMs: 60_000,
        },
      ],
    });
  });

  afterAll(async () => {
    await child?.close();
    await fake?.close();
  });

  it("writes every answer once, in order, unchanged", async () => {
    const client = new Anthropic({ baseURL: child.url, apiKey: "unused", maxRetries: 0 });
    const batch = await client.messages.batches.create({
      requests: Array.from({ length: N }, (_, i) => ({
        custom_id: `call-${i}`,
        params: {
          model: MODEL,
          max_tokens: 32,
          messages: [{ role: "user", content: `Summarize call ${i}.` }],
        },
      })),
    });
    const deadline = Date.now() + 120_000;
    let status = batch.processing_status;
    while (status !== "ended") {
      if (Date.now() > deadline) throw new Error(`the batch is still ${status}:\n${child.output()}`);
      await new Promise((r) => setTimeout(r, 250));
      status = (await client.messages.batches.retrieve(batch.id)).processing_status;
    }
    const ids: string[] = [];
    let succeeded = 0;
    for await (const line of await client.messages.batches.results(batch.id)) {
      ids.push(line.custom_id);
      if (line.result.type === "succeeded") succeeded++;
    }
    expect(ids).toEqual(Array.from({ length: N }, (_, i) => `call-${i}`));
    expect(succeeded).toBe(N);
    // One provider job, each request sent to the provider once.
    expect(fake.batches.stats().created).toBe(1);
    expect(child.output()).not.toMatch(/read in-process/);
  }, 180_000);
});
