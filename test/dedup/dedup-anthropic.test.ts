import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestDocket, type TestDocket } from "../support/test-docket.js";

/**
 * A Message Batch asks for dedup with the `Docket-Dedup` header (its body takes nothing but
 * `requests`), through the official Anthropic SDK; its requests are bridged to the fake OpenAI
 * backend. Its results file marks the answers that did not make their own call.
 */
describe("dedup on an Anthropic Message Batch", () => {
  let t: TestDocket;
  let client: Anthropic;
  beforeAll(async () => {
    t = await startTestDocket();
    client = new Anthropic({ baseURL: t.docket.url, apiKey: "x", maxRetries: 0 });
  });
  afterAll(() => t?.close());

  const requests = (n: number, distinct: number, temperature: number) =>
    Array.from({ length: n }, (_, i) => ({
      custom_id: `m${i}`,
      params: {
        model: "fake-model",
        max_tokens: 8,
        temperature,
        messages: [{ role: "user" as const, content: `question ${i % distinct}` }],
      },
    }));

  async function results(id: string) {
    for (;;) {
      const b = await client.messages.batches.retrieve(id);
      if (b.processing_status === "ended") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const lines: Array<{ custom_id: string; result: { type: string }; docket?: { deduplicated?: true } }> =
      [];
    for await (const line of await client.messages.batches.results(id))
      lines.push(line as (typeof lines)[number]);
    return lines;
  }

  it("sends each distinct deterministic request once when the header asks", async () => {
    const before = t.fake.stats().requests;
    const batch = await client.messages.batches.create(
      { requests: requests(20, 4, 0) },
      { headers: { "Docket-Dedup": "true" } },
    );
    const lines = await results(batch.id);
    expect(t.fake.stats().requests - before).toBe(4);
    expect(lines.map((l) => l.custom_id)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
    expect(lines.every((l) => l.result.type === "succeeded")).toBe(true);
    expect(lines.filter((l) => l.docket?.deduplicated).length).toBe(16);
    const view = (await client.messages.batches.retrieve(batch.id)) as unknown as {
      dedup: { deduplicated_requests: number };
    };
    expect(view.dedup.deduplicated_requests).toBe(16);

    // Without the header (and temperature 1 anyway): every request is sent.
    const plain = await client.messages.batches.create({ requests: requests(20, 4, 1) });
    await results(plain.id);
    expect(t.fake.stats().requests - before).toBe(24);
  });
});
