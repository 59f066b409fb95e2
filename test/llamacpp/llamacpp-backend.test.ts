import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BackendFailure, BackendResult, BackendSuccess } from "../../src/backends/backend.js";
import { LlamaCppBackend } from "../../src/backends/llamacpp/llamacpp-backend.js";
import { createDummyModel } from "../../src/gguf/create-dummy-model.js";
import {
  writeModelThatAbortsLlamaCpp,
  writeModelWithout,
  writeModelWithoutByteTokens,
  writeTruncatedModel,
} from "./broken-models.js";

// The engine child runs dist/backends/llamacpp/engine-process.js: `npm test` builds it first.

let dir: string;
let modelPath: string;
let backend: LlamaCppBackend;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "docket-llamacpp-"));
  modelPath = join(dir, "tiny.gguf");
  await createDummyModel(modelPath, { size: "tiny", seed: 3 });
  backend = new LlamaCppBackend({ modelPath, contexts: 2 });
  await backend.start();
});
afterAll(async () => {
  await backend?.close();
  await rm(dir, { recursive: true, force: true });
});

function ok(result: BackendResult): BackendSuccess {
  if (!result.ok) throw new Error(`expected success, got ${result.code}: ${result.message}`);
  return result;
}
function failed(result: BackendResult): BackendFailure {
  if (result.ok) throw new Error(`expected failure, got ${result.body}`);
  return result;
}

interface ChatBody {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: Array<{ index: number; message: { role: string; content: string }; finish_reason: string }>;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

describe("LlamaCppBackend on a tiny dummy model", () => {
  it("answers 200 concurrent chat requests in OpenAI's format with the engine's token counts", async () => {
    const before = (await backend.stats())!;
    const requests = Array.from({ length: 200 }, (_, i) => ({
      maxTokens: 1 + (i % 8),
      ignoreEos: i % 2 === 0,
      body: {
        model: "dummy",
        messages: [
          { role: "system", content: "You are terse." },
          { role: "user", content: `Request number ${i}: say something.` },
        ],
        max_tokens: 1 + (i % 8),
        temperature: 0.8,
        seed: i,
        ...(i % 2 === 0 ? { ignore_eos: true } : {}),
      },
    }));
    const results = await Promise.all(
      requests.map((r) => backend.send({ endpoint: "/v1/chat/completions", body: JSON.stringify(r.body) })),
    );
    let completionSum = 0;
    let decodedSum = 0;
    results.forEach((result, i) => {
      const r = requests[i]!;
      const success = ok(result);
      expect(success.statusCode).toBe(200);
      const body = JSON.parse(success.body) as ChatBody;
      expect(body.object).toBe("chat.completion");
      expect(body.id).toMatch(/^chatcmpl-/);
      expect(body.model).toBe("dummy");
      expect(Number.isInteger(body.created)).toBe(true);
      expect(body.choices).toHaveLength(1);
      const choice = body.choices[0]!;
      expect(choice.index).toBe(0);
      expect(choice.message.role).toBe("assistant");
      expect(typeof choice.message.content).toBe("string");
      const u = body.usage;
      expect(u.prompt_tokens).toBeGreaterThan(20);
      expect(u.completion_tokens).toBeGreaterThanOrEqual(1);
      expect(u.completion_tokens).toBeLessThanOrEqual(r.maxTokens);
      expect(u.total_tokens).toBe(u.prompt_tokens + u.completion_tokens);
      expect(success.usage).toEqual({ inputTokens: u.prompt_tokens, outputTokens: u.completion_tokens });
      if (choice.finish_reason === "length") expect(u.completion_tokens).toBe(r.maxTokens);
      else expect(choice.finish_reason).toBe("stop");
      if (r.ignoreEos) expect([choice.finish_reason, u.completion_tokens]).toEqual(["length", r.maxTokens]);
      completionSum += u.completion_tokens;
      decodedSum += u.prompt_tokens + u.completion_tokens - 1; // the last sampled token is never decoded
    });
    const after = (await backend.stats())!;
    expect(after.requests - before.requests).toBe(200);
    expect(after.sampledTokens - before.sampledTokens).toBe(completionSum);
    expect(after.decodedTokens - before.decodedTokens).toBe(decodedSum);
  });

  it("serves /v1/completions with a prompt", async () => {
    const body = JSON.parse(
      ok(
        await backend.send({
          endpoint: "/v1/completions",
          body: JSON.stringify({
            model: "dummy",
            prompt: "Once upon a time",
            max_tokens: 4,
            ignore_eos: true,
          }),
        }),
      ).body,
    );
    expect(body.object).toBe("text_completion");
    expect(body.choices[0]).toMatchObject({ index: 0, finish_reason: "length", logprobs: null });
    expect(typeof body.choices[0].text).toBe("string");
    // BOS + one byte token per ASCII character, "▁" for the spaces.
    expect(body.usage).toEqual({ prompt_tokens: 17, completion_tokens: 4, total_tokens: 21 });
  });

  it("returns embeddings of the model's dimension, one per input", async () => {
    const info = await backend.start();
    const result = ok(
      await backend.send({
        endpoint: "/v1/embeddings",
        body: JSON.stringify({ model: "e", input: ["alpha", "beta gamma"] }),
      }),
    );
    const body = JSON.parse(result.body);
    expect(body.object).toBe("list");
    expect(body.data.map((d: { index: number }) => d.index)).toEqual([0, 1]);
    for (const d of body.data) {
      expect(d.object).toBe("embedding");
      expect(d.embedding).toHaveLength(info.embeddingLength);
      expect(d.embedding.every((x: unknown) => typeof x === "number" && Number.isFinite(x))).toBe(true);
    }
    expect(body.usage).toEqual({ prompt_tokens: 6 + 11, total_tokens: 17 });
  });

  it("refuses bad bodies, unknown endpoints and context overflow with non-retryable OpenAI-style 400s", async () => {
    const cases: Array<[string, string, string]> = [
      ["/v1/chat/completions", "{not json", "invalid_request_error"],
      ["/v1/chat/completions", JSON.stringify({ messages: [] }), "invalid_request_error"],
      [
        "/v1/chat/completions",
        JSON.stringify({ messages: [{ role: "user", content: "x" }], n: 3 }),
        "invalid_request_error",
      ],
      ["/v1/images/generations", "{}", "invalid_request_error"],
      ["/v1/completions", JSON.stringify({ prompt: "x", max_tokens: 100_000 }), "context_length_exceeded"],
    ];
    for (const [endpoint, body, code] of cases) {
      const f = failed(await backend.send({ endpoint, body }));
      expect(f).toMatchObject({ retryable: false, statusCode: 400, code });
      const error = JSON.parse(f.body!).error;
      expect(error).toMatchObject({ type: "invalid_request_error", code, message: f.message });
      expect(f.message.length).toBeGreaterThan(10);
    }
  });

  it("survives its engine being killed: in-flight requests fail retryably, the next one restarts it", async () => {
    const pid = backend.enginePid!;
    const long = JSON.stringify({ prompt: "x", max_tokens: 1500, ignore_eos: true });
    const inFlight = [1, 2, 3].map(() => backend.send({ endpoint: "/v1/completions", body: long }));
    await new Promise((r) => setTimeout(r, 100));
    process.kill(pid, "SIGKILL");
    for (const result of await Promise.all(inFlight)) {
      const f = failed(result);
      expect(f).toMatchObject({ code: "engine_crashed", retryable: true });
      expect(f.message).toMatch(/killed by SIGKILL/);
    }
    ok(
      await backend.send({
        endpoint: "/v1/completions",
        body: JSON.stringify({ prompt: "y", max_tokens: 2 }),
      }),
    );
    expect(backend.enginePid).not.toBe(pid);
  });
});

describe("LlamaCppBackend on broken models", () => {
  const broken: Array<[string, (path: string) => Promise<void>, RegExp]> = [
    [
      "missing llama.feed_forward_length",
      (p) => writeModelWithout(p, "llama.feed_forward_length"),
      /is missing required metadata 'llama\.feed_forward_length'/,
    ],
    ["a tokenizer without byte tokens", writeModelWithoutByteTokens, /without byte tokens/],
    ["a truncated file", (p) => writeTruncatedModel(p, 0.5), /is truncated/],
    // Passes validation; llama.cpp itself aborts the engine process while building the graph.
    ["a model that aborts llama.cpp", writeModelThatAbortsLlamaCpp, /killed by SIGABRT.*GGML_ASSERT/],
  ];

  for (const [what, write, message] of broken) {
    it(`fails every request on ${what} with model_load_failed, while a good backend keeps answering`, async () => {
      const path = join(dir, `${what.replace(/\W+/g, "-")}.gguf`);
      await write(path);
      const bad = new LlamaCppBackend({ modelPath: path, contexts: 1 });
      try {
        const body = JSON.stringify({ messages: [{ role: "user", content: "hi" }], max_tokens: 2 });
        const [first, good] = await Promise.all([
          bad.send({ endpoint: "/v1/chat/completions", body }),
          backend.send({ endpoint: "/v1/chat/completions", body }),
        ]);
        const f = failed(first);
        expect(f).toMatchObject({ code: "model_load_failed", retryable: false });
        expect(f.message).toMatch(new RegExp(`^model ${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} `));
        expect(f.message).toMatch(message);
        ok(good);
        // Later requests fail at once with the same error, without another load attempt.
        expect(failed(await bad.send({ endpoint: "/v1/chat/completions", body })).message).toBe(f.message);
        await expect(bad.start()).rejects.toMatchObject({ code: "model_load_failed" });
      } finally {
        await bad.close();
      }
    });
  }
});

describe("the engine's environment", () => {
  it("drops a CI value node-llama-cpp would refuse, keeps a valid one", async () => {
    const { engineEnv } = await import("../../src/backends/llamacpp/engine-process-handle.js");
    expect(engineEnv({ CI: "", PATH: "/bin" })).toEqual({ PATH: "/bin" });
    expect(engineEnv({ CI: "yes" })).toEqual({});
    expect(engineEnv({ CI: "true", X: "1" })).toEqual({ CI: "true", X: "1" });
    expect(engineEnv({ X: "1" })).toEqual({ X: "1" });
  });
});
