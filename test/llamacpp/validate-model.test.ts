import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateModel } from "../../src/backends/llamacpp/validate-model.js";
import { DocketError } from "../../src/domain/errors.js";
import { createDummyModel } from "../../src/gguf/create-dummy-model.js";
import { writeModelWithout, writeModelWithoutByteTokens, writeTruncatedModel } from "./broken-models.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "docket-validate-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(path: string): Promise<DocketError> {
  const error = await validateModel(path).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DocketError);
  expect((error as DocketError).code).toBe("model_invalid");
  return error as DocketError;
}

describe("validateModel", () => {
  it("summarises a good model", async () => {
    const path = join(dir, "good.gguf");
    const info = await createDummyModel(path, { size: "tiny" });
    const summary = await validateModel(path);
    expect(summary).toMatchObject({
      architecture: "llama",
      embeddingLength: info.hyperparameters.embeddingLength,
      vocabSize: info.vocabSize,
      tokenizerModel: "llama",
      hasChatTemplate: true,
      parameters: info.parameters,
    });
  });

  it("names the missing metadata key", async () => {
    const path = join(dir, "no-ff.gguf");
    await writeModelWithout(path, "llama.feed_forward_length");
    expect((await rejection(path)).message).toBe(
      `model ${path} is missing required metadata 'llama.feed_forward_length'`,
    );
  });

  it("refuses a llama tokenizer without byte tokens", async () => {
    const path = join(dir, "no-bytes.gguf");
    await writeModelWithoutByteTokens(path);
    expect((await rejection(path)).message).toMatch(
      /without byte tokens \(256 of 256 missing, e\.g\. <0x00>\)/,
    );
  });

  it("reports truncation in the metadata and in the tensor data", async () => {
    const inHeader = join(dir, "cut-header.gguf");
    await writeTruncatedModel(inHeader, 0.01);
    expect((await rejection(inHeader)).message).toMatch(/is truncated/);
    const inData = join(dir, "cut-data.gguf");
    await writeTruncatedModel(inData, 0.9);
    expect((await rejection(inData)).message).toMatch(
      /is truncated: tensor '.+' ends at byte \d+ but the file has \d+ bytes/,
    );
  });

  it("refuses files that are not GGUF at all, and missing files", async () => {
    const text = join(dir, "notes.gguf");
    await writeFile(text, "this is a text file, not a model, but long enough to have a header");
    expect((await rejection(text)).message).toBe(`model ${text} is not a GGUF file (wrong magic bytes)`);
    expect((await rejection(join(dir, "absent.gguf"))).message).toMatch(/does not exist$/);
  });
});
