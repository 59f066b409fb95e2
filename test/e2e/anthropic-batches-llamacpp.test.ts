import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultConfig } from "../../src/config/config.js";
import { createDummyModel } from "../../src/gguf/create-dummy-model.js";
import { type RunningDocket, startEmbedded } from "../../src/runtime/embedded.js";

const REQUESTS = Number(process.env.DOCKET_LLAMA_BATCH_REQUESTS ?? 1000);

/**
 * A Message Batch on the in-process llama.cpp engine (a dummy model: random tokens): params are
 * bridged to chat requests and the answers come back as Messages, through the official SDK.
 */
describe("Message Batches on the llama.cpp engine", () => {
  let dir: string;
  let docket: RunningDocket;
  let client: Anthropic;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "docket-anthropic-llama-"));
    await createDummyModel(join(dir, "tiny.gguf"), { size: "tiny", seed: 5 });
    const config = defaultConfig();
    config.dataDir = join(dir, "data");
    config.server.port = 0;
    config.worker.maintenanceMs = 100;
    config.routes = [
      {
        name: "tiny",
        models: ["tiny"],
        backend: { type: "llamacpp", model: join(dir, "tiny.gguf"), contexts: 2 },
        concurrency: 2,
        timeoutMs: 60_000,
        maxAttempts: 3,
      },
    ];
    docket = await startEmbedded(config);
    client = new Anthropic({ baseURL: docket.url, apiKey: "unused", maxRetries: 0 });
  });

  afterAll(async () => {
    await docket?.close({ graceMs: 1000 });
    rmSync(dir, { recursive: true, force: true });
  });

  it(`runs ${REQUESTS} requests: create → retrieve → results, Messages with real usage`, async () => {
    const requests = Array.from({ length: REQUESTS }, (_, i) => ({
      custom_id: `q-${i}`,
      params: {
        model: "tiny",
        max_tokens: 2,
        system: "Be brief.",
        messages: [{ role: "user" as const, content: `Say ${i}.` }],
      },
    }));
    const created = await client.messages.batches.create({ requests });
    let batch = created;
    const deadline = Date.now() + 240_000;
    while (batch.processing_status !== "ended") {
      if (Date.now() > deadline) throw new Error(`still ${JSON.stringify(batch.request_counts)}`);
      await new Promise((r) => setTimeout(r, 200));
      batch = await client.messages.batches.retrieve(created.id);
    }
    if (batch.request_counts.errored > 0) {
      for await (const line of await client.messages.batches.results(created.id)) {
        throw new Error(`first result: ${JSON.stringify(line)}`);
      }
    }
    expect(batch.request_counts).toEqual({
      processing: 0,
      succeeded: REQUESTS,
      errored: 0,
      canceled: 0,
      expired: 0,
    });
    const ids: string[] = [];
    for await (const line of await client.messages.batches.results(created.id)) {
      ids.push(line.custom_id);
      if (line.result.type !== "succeeded") throw new Error(JSON.stringify(line));
      const message = line.result.message;
      expect(message).toMatchObject({ type: "message", role: "assistant", model: "tiny" });
      expect(message.usage.input_tokens).toBeGreaterThan(0);
      expect(message.usage.output_tokens).toBeGreaterThanOrEqual(1);
      expect(message.usage.output_tokens).toBeLessThanOrEqual(2);
      expect(["end_turn", "max_tokens"]).toContain(message.stop_reason);
    }
    expect(ids).toEqual(requests.map((r) => r.custom_id));
  }, 300_000);
});
