import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FakeAnthropic,
  startFakeAnthropic,
} from "../../src/backends/fake-anthropic/fake-anthropic-server.js";

/**
 * The fake Anthropic server's Message Batches API, driven by the official SDK unmodified: it
 * must speak the real wire format for the anthropic-batch client's tests to mean anything.
 */
const MARKER = "PLEASE_FAIL_THIS";
let fake: FakeAnthropic;
let sdk: Anthropic;

beforeAll(async () => {
  fake = await startFakeAnthropic({ fail400Marker: MARKER, apiKey: "sk-test" });
  sdk = new Anthropic({ baseURL: fake.url, apiKey: "sk-test", maxRetries: 0 });
});
afterAll(async () => {
  await fake?.close();
});

const params = (text: string) => ({
  model: "claude-test",
  max_tokens: 8,
  messages: [{ role: "user" as const, content: text }],
});

async function ended(id: string) {
  for (let i = 0; i < 200; i++) {
    const b = await sdk.messages.batches.retrieve(id);
    if (b.processing_status === "ended") return b;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`batch ${id} never ended`);
}

describe("fake Anthropic Message Batches", () => {
  it("creates, retrieves, lists and answers results, errored requests included", async () => {
    fake.batches.setOptions({ turnaroundMs: 100 });
    fake.batches.resetStats();
    const created = await sdk.messages.batches.create({
      requests: [
        { custom_id: "a", params: params("hello") },
        { custom_id: "b", params: params(`please ${MARKER}`) },
      ],
    });
    expect(created).toMatchObject({
      type: "message_batch",
      processing_status: "in_progress",
      results_url: null,
    });
    expect(created.request_counts.processing).toBe(2);

    const batch = await ended(created.id);
    expect(batch.request_counts).toMatchObject({ processing: 0, succeeded: 1, errored: 1 });
    expect(batch.results_url).toContain(`/v1/messages/batches/${created.id}/results`);

    const results: Record<string, string> = {};
    for await (const r of await sdk.messages.batches.results(created.id))
      results[r.custom_id] = r.result.type;
    expect(results).toEqual({ a: "succeeded", b: "errored" });

    const listed: string[] = [];
    for await (const b of sdk.messages.batches.list({ limit: 1 })) listed.push(b.id);
    expect(listed).toContain(created.id);
    expect(fake.batches.stats()).toMatchObject({ created: 1, submittedPerCustomId: { a: 1, b: 1 } });
  });

  it("streams a results file chunked, every line in order, and survives a reader that stops early", async () => {
    fake.batches.setOptions({ turnaroundMs: 0 });
    const n = 1_000;
    const created = await sdk.messages.batches.create({
      requests: Array.from({ length: n }, (_, i) => ({ custom_id: `r${i}`, params: params(`hi ${i}`) })),
    });
    const batch = await ended(created.id);
    const headers = { "x-api-key": "sk-test", "anthropic-version": "2023-06-01" };
    // A reader that takes the first chunk and goes: the fake must not hang or fail the next one.
    const early = await fetch(batch.results_url!, { headers });
    const reader = early.body!.getReader();
    await reader.read();
    await reader.cancel();

    const res = await fetch(batch.results_url!, { headers });
    // As Anthropic's: sent as it is read (chunked), not built and sized first.
    expect(res.headers.get("content-length")).toBeNull();
    expect(res.headers.get("transfer-encoding")).toBe("chunked");
    const lines = (await res.text()).split("\n").filter((l) => l !== "");
    expect(lines.map((l) => (JSON.parse(l) as { custom_id: string }).custom_id)).toEqual(
      Array.from({ length: n }, (_, i) => `r${i}`),
    );
  });

  it("cancels, throttles beyond maxInFlight, refuses bad requests as Anthropic does", async () => {
    fake.batches.setOptions({ turnaroundMs: 60_000, maxInFlight: null });
    const running = await sdk.messages.batches.create({
      requests: [{ custom_id: "c", params: params("x") }],
    });
    const cancelling = await sdk.messages.batches.cancel(running.id);
    expect(cancelling.processing_status).toBe("canceling");
    expect((await ended(running.id)).request_counts.canceled).toBe(1);

    const open = fake.batches.stats().inFlight;
    fake.batches.setOptions({ maxInFlight: open });
    await expect(
      sdk.messages.batches.create({ requests: [{ custom_id: "d", params: params("x") }] }),
    ).rejects.toBeInstanceOf(Anthropic.RateLimitError);
    fake.batches.setOptions({ maxInFlight: null });

    await expect(
      sdk.messages.batches.create({
        requests: [
          { custom_id: "same", params: params("x") },
          { custom_id: "same", params: params("y") },
        ],
      }),
    ).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    await expect(sdk.messages.batches.retrieve("msgbatch_missing")).rejects.toBeInstanceOf(
      Anthropic.NotFoundError,
    );
    fake.batches.setOptions({ createError: "overloaded_error" });
    await expect(
      sdk.messages.batches.create({ requests: [{ custom_id: "e", params: params("x") }] }),
    ).rejects.toMatchObject({ status: 529 });
    fake.batches.setOptions({ createError: null, turnaroundMs: 0 });
  });
});
