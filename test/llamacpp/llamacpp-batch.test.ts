import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultConfig } from "../../src/config/config.js";
import { createDummyModel } from "../../src/gguf/create-dummy-model.js";
import { type RunningDocket, startEmbedded } from "../../src/runtime/embedded.js";
import { parseJsonl, writeLines } from "../support/batch-files.js";
import { writeModelWithout } from "./broken-models.js";

interface ChatBody {
  object: string;
  choices: Array<{ message: { role: string; content: string }; finish_reason: string }>;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

/** Whole batches through `docket serve` with `llamacpp` routes: the local engine in the box. */
describe("batches on the in-process llama.cpp engine", () => {
  let dir: string;
  let docket: RunningDocket;
  let openai: OpenAI;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "docket-llama-batch-"));
    await createDummyModel(join(dir, "tiny.gguf"), { size: "tiny", seed: 3 });
    await writeModelWithout(join(dir, "broken.gguf"), "llama.feed_forward_length");
    const config = defaultConfig();
    config.dataDir = join(dir, "data");
    config.server.port = 0;
    config.worker.maintenanceMs = 100;
    const route = { timeoutMs: 60_000, maxAttempts: 3, concurrency: 2 };
    config.routes = [
      {
        ...route,
        name: "tiny",
        models: ["tiny"],
        backend: { type: "llamacpp", model: join(dir, "tiny.gguf"), contexts: 2 },
      },
      {
        ...route,
        name: "broken",
        models: ["broken"],
        backend: { type: "llamacpp", model: join(dir, "broken.gguf") },
      },
    ];
    docket = await startEmbedded(config);
    openai = new OpenAI({ baseURL: `${docket.url}/v1`, apiKey: "x", maxRetries: 0 });
  });

  afterAll(async () => {
    await docket?.close({ graceMs: 1000 });
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(lines: object[], endpoint: "/v1/chat/completions" | "/v1/embeddings") {
    const path = writeLines(
      join(dir, `in-${Date.now()}.jsonl`),
      lines.map((l) => JSON.stringify(l)),
    );
    const file = await openai.files.create({ file: createReadStream(path), purpose: "batch" });
    let batch = await openai.batches.create({ input_file_id: file.id, endpoint, completion_window: "24h" });
    while (!["completed", "failed", "expired", "cancelled"].includes(batch.status)) {
      await new Promise((r) => setTimeout(r, 100));
      batch = await openai.batches.retrieve(batch.id);
    }
    const read = async (id: string | null | undefined) =>
      id
        ? parseJsonl<{
            custom_id: string;
            response: { status_code: number; body: unknown } | null;
            error: unknown;
          }>(await (await openai.files.content(id)).text())
        : [];
    return { batch, output: await read(batch.output_file_id), errors: await read(batch.error_file_id) };
  }

  it("completes 200 chat requests with OpenAI-shaped bodies, real usage and max_tokens honoured", async () => {
    const lines = Array.from({ length: 200 }, (_, i) => ({
      custom_id: `chat-${i}`,
      method: "POST",
      url: "/v1/chat/completions",
      body: {
        model: "tiny",
        max_tokens: 1 + (i % 6),
        temperature: 0.7,
        seed: i,
        messages: [{ role: "user", content: `Ticket ${i}: summarise.` }],
      },
    }));
    const { batch, output } = await run(lines, "/v1/chat/completions");
    expect(batch.status).toBe("completed");
    expect(output.map((o) => o.custom_id)).toEqual(lines.map((l) => l.custom_id));
    let completionTokens = 0;
    let promptTokens = 0;
    for (const [i, line] of output.entries()) {
      const body = line.response!.body as ChatBody;
      expect(body.object).toBe("chat.completion");
      expect(body.choices[0]!.message.role).toBe("assistant");
      expect(body.usage.completion_tokens).toBeLessThanOrEqual(lines[i]!.body.max_tokens);
      expect(body.usage.prompt_tokens).toBeGreaterThan(0);
      expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
      // "length" exactly when the cap cut the answer (an end-of-text token at the cap is "stop")
      const finish = body.choices[0]!.finish_reason;
      expect(["length", "stop"]).toContain(finish);
      if (finish === "length") expect(body.usage.completion_tokens).toBe(lines[i]!.body.max_tokens);
      completionTokens += body.usage.completion_tokens;
      promptTokens += body.usage.prompt_tokens;
    }
    // the job's token totals are the sum of the engine's per-request counts
    expect(batch.usage).toMatchObject({ input_tokens: promptTokens, output_tokens: completionTokens });
  });

  it("returns embeddings of the model's dimension", async () => {
    const lines = Array.from({ length: 10 }, (_, i) => ({
      custom_id: `emb-${i}`,
      method: "POST",
      url: "/v1/embeddings",
      body: { model: "tiny", input: `document number ${i}` },
    }));
    const { batch, output } = await run(lines, "/v1/embeddings");
    expect(batch.status).toBe("completed");
    const dims = output.map(
      (o) => (o.response!.body as { data: Array<{ embedding: number[] }> }).data[0]!.embedding.length,
    );
    expect(new Set(dims)).toEqual(new Set([64]));
  });

  it("fails the records of a corrupt model with a readable error while other routes keep serving", async () => {
    const lines = [0, 1, 2].map((i) => ({
      custom_id: `bad-${i}`,
      method: "POST",
      url: "/v1/chat/completions",
      body: { model: "broken", max_tokens: 2, messages: [{ role: "user", content: "hi" }] },
    }));
    const { batch, errors } = await run(lines, "/v1/chat/completions");
    expect(batch.request_counts).toMatchObject({ total: 3, completed: 0, failed: 3 });
    expect(JSON.stringify(errors[0])).toContain("llama.feed_forward_length");
    const good = await run(
      [
        {
          custom_id: "ok",
          method: "POST",
          url: "/v1/chat/completions",
          body: { model: "tiny", max_tokens: 2, messages: [{ role: "user", content: "hi" }] },
        },
      ],
      "/v1/chat/completions",
    );
    expect(good.batch.status).toBe("completed");
  });
});
