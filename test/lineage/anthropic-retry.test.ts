import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FakeAnthropic,
  startFakeAnthropic,
} from "../../src/backends/fake-anthropic/fake-anthropic-server.js";
import type { RunningDocket } from "../../src/runtime/embedded.js";
import { startTestDocket, type TestDocket } from "../support/test-docket.js";

const KEY = "docket-test-key";

interface MessageBatchAnswer extends Anthropic.Messages.MessageBatch {
  parent_batch_id?: string;
  docket_retry: { records: number; reasons: Record<string, number> };
}

interface ResultLine {
  custom_id: string;
  result: { type: string; message?: { stop_reason: string } };
}

/**
 * Retry with lineage on Anthropic's prefix, through the official `@anthropic-ai/sdk`: a Message
 * Batch of 200 requests (20 errored, 20 cut short at max_tokens), retried twice, read merged.
 */
describe("retry with lineage on the Message Batches API", () => {
  let t: TestDocket;
  let docket: RunningDocket;
  let fake: FakeAnthropic;
  let client: Anthropic;

  beforeAll(async () => {
    fake = await startFakeAnthropic({ fail400Marker: "FAIL400", recordBodies: true, outputTokens: 12 });
    t = await startTestDocket({
      // The test Docket's one route, serving Claude models from the fake Anthropic API.
      route: {
        name: "claude",
        models: ["claude-*"],
        backend: { type: "anthropic", baseUrl: fake.url },
        maxAttempts: 3,
      },
      tune: (c) => (c.server.apiKey = KEY),
    });
    docket = t.docket;
    client = new Anthropic({ baseURL: docket.url, apiKey: KEY, maxRetries: 0 });
  });

  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  const request = (i: number) => ({
    custom_id: `q-${i}`,
    params: {
      model: "claude-test",
      max_tokens: i % 10 === 1 ? 4 : 64,
      messages: [{ role: "user" as const, content: `${i % 10 === 0 ? "FAIL400 " : ""}Question ${i}` }],
    },
  });

  async function untilEnded(id: string) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const batch = await client.messages.batches.retrieve(id);
      if (batch.processing_status === "ended") return batch;
      if (Date.now() > deadline) throw new Error(`batch ${id} still ${batch.processing_status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const retry = (id: string, body: Record<string, unknown>) =>
    client.post(`/v1/messages/batches/${id}/retry`, { body }) as unknown as Promise<MessageBatchAnswer>;

  const sent = () => (fake.stats().bodies ?? []).map((b) => b.request).sort();

  it("retries errored and truncated requests into child Message Batches and merges the lineage", async () => {
    const requests = Array.from({ length: 200 }, (_, i) => request(i));
    const root = await client.messages.batches.create({ requests });
    const ended = await untilEnded(root.id);
    expect(ended.request_counts).toMatchObject({ succeeded: 180, errored: 20 });

    fake.setOptions({ fail400Marker: null });
    fake.resetStats();
    const child = await retry(root.id, { only: ["failed"] });
    expect(child).toMatchObject({
      type: "message_batch",
      parent_batch_id: root.id,
      processing_status: "in_progress",
    });
    expect(child.id).toMatch(/^msgbatch_/);
    expect(child.docket_retry).toMatchObject({ records: 20, reasons: { failed: 20 } });
    expect((await untilEnded(child.id)).request_counts).toMatchObject({ succeeded: 20, errored: 0 });
    const failedParams = requests.filter((_, i) => i % 10 === 0).map((r) => JSON.stringify(r.params));
    expect(sent()).toEqual(failedParams.sort());

    fake.resetStats();
    const longer = await retry(root.id, { only: ["truncated"], overrides: { max_tokens: 128 } });
    expect(longer.docket_retry).toMatchObject({ records: 20, reasons: { truncated: 20 } });
    await untilEnded(longer.id);
    const truncatedParams = requests
      .filter((_, i) => i % 10 === 1)
      .map((r) => JSON.stringify(r.params).replace('"max_tokens":4,', '"max_tokens":128,'));
    expect(sent()).toEqual(truncatedParams.sort());

    // Merged on Anthropic's prefix: Anthropic result lines, input order, every one a full success.
    const res = await fetch(`${docket.url}/v1/messages/batches/${root.id}/results?merged=true`, {
      headers: { "x-api-key": KEY },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("docket-lineage-batches")).toBe("3");
    const lines = (await res.text())
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as ResultLine);
    expect(lines.map((l) => l.custom_id)).toEqual(requests.map((r) => r.custom_id));
    expect(lines.every((l) => l.result.type === "succeeded")).toBe(true);
    expect(lines.every((l) => l.result.message?.stop_reason === "end_turn")).toBe(true);

    const kids = (await client.get(`/v1/messages/batches/${root.id}/children`)) as {
      data: Array<{ id: string; parent_batch_id: string }>;
    };
    expect(kids.data.map((b) => [b.id, b.parent_batch_id])).toEqual([
      [child.id, root.id],
      [longer.id, root.id],
    ]);
  }, 90_000);

  it("answers a retry of nothing in Anthropic's error shape", async () => {
    const root = await client.messages.batches.create({ requests: [request(5)] });
    await untilEnded(root.id);
    const err = await retry(root.id, { only: ["failed"] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({
      type: "error",
      error: { type: "invalid_request_error" },
    });
    const missing = await retry("msgbatch_nope", { only: ["failed"] }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
  });
});
