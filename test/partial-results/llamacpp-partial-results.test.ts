import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDummyModel } from "../../src/gguf/create-dummy-model.js";
import { chatBatchLines } from "../support/batch-files.js";
import { pollBatch, startTestDocket, type TestDocket } from "../support/test-docket.js";
import { PartialFollower } from "./partial-reader.js";
import { fileBytes, submitChatBatch } from "./run-and-follow.js";

/** Partial results on the in-process llama.cpp engine (a dummy model: random tokens, real decoding). */
describe("partial results on the llama.cpp engine", () => {
  let t: TestDocket;
  const modelDir = mkdtempSync(join(tmpdir(), "docket-partial-llama-"));
  const model = join(modelDir, "tiny.gguf");

  beforeAll(async () => {
    await createDummyModel(model, { size: "tiny", seed: 5 });
    t = await startTestDocket({
      tune: (c) => {
        c.routes = [
          {
            name: "tiny",
            models: ["tiny"],
            backend: { type: "llamacpp", model, contexts: 2 },
            concurrency: 2,
            timeoutMs: 60_000,
            maxAttempts: 3,
          },
        ];
      },
    });
  });

  afterAll(async () => {
    await t?.close();
    rmSync(modelDir, { recursive: true, force: true });
  });

  it("reads a run every 200 ms into exactly its final output file", async () => {
    const n = 300;
    const id = await submitChatBatch(t, chatBatchLines(n, { model: "tiny" }));
    const follower = new PartialFollower(`${t.docket.url}/v1/batches/${id}/results`, { errors: true });
    await follower.followToEnd(200, 240_000);
    const done = await pollBatch(t.openai, id, ["completed"], 10_000);
    expect(done.request_counts).toMatchObject({ total: n, completed: n, failed: 0 });
    expect(follower.text("output").equals(await fileBytes(t, done.output_file_id))).toBe(true);
    expect(follower.text("errors")).toHaveLength(0);
    expect(follower.movedBeforeEnd).toBeGreaterThanOrEqual(2);
  }, 300_000);
});
