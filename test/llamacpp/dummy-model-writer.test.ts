import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gguf } from "@huggingface/gguf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDummyModel } from "../../src/gguf/create-dummy-model.js";
import { readGguf } from "../../src/gguf/gguf-reader.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "docket-gguf-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("createDummyModel", () => {
  it("writes a tiny llama GGUF that an independent reader parses with every required key", async () => {
    const path = join(dir, "tiny.gguf");
    const info = await createDummyModel(path, { size: "tiny", seed: 5 });
    const parsed = await gguf(path, { allowLocalFile: true });
    const m = parsed.metadata as Record<string, unknown>;
    expect(m["general.architecture"]).toBe("llama");
    for (const key of [
      "llama.context_length",
      "llama.embedding_length",
      "llama.block_count",
      "llama.feed_forward_length",
      "llama.attention.head_count",
      "llama.attention.head_count_kv",
      "llama.rope.dimension_count",
      "llama.attention.layer_norm_rms_epsilon",
      "general.alignment",
      "tokenizer.chat_template",
    ]) {
      expect(m[key], key).toBeDefined();
    }
    const hp = info.hyperparameters;
    expect(m["llama.embedding_length"]).toBe(hp.embeddingLength);
    expect(m["llama.block_count"]).toBe(hp.blockCount);
    expect(m["llama.rope.dimension_count"]).toBe(hp.embeddingLength / hp.headCount);

    const tokens = m["tokenizer.ggml.tokens"] as string[];
    expect(tokens).toHaveLength(info.vocabSize);
    expect(tokens).toContain("<0x00>");
    expect(tokens).toContain("<0xFF>");
    expect(m["tokenizer.ggml.scores"]).toHaveLength(tokens.length);
    expect(m["tokenizer.ggml.token_type"]).toHaveLength(tokens.length);
    expect(tokens[m["tokenizer.ggml.eos_token_id"] as number]).toBe("</s>");

    const shapes = new Map(parsed.tensorInfos.map((t) => [t.name, t.shape.map(Number)]));
    const kvWidth = (hp.embeddingLength / hp.headCount) * hp.headCountKv;
    expect(shapes.get("token_embd.weight")).toEqual([hp.embeddingLength, info.vocabSize]);
    expect(shapes.get("blk.0.attn_k.weight")).toEqual([hp.embeddingLength, kvWidth]);
    expect(shapes.get(`blk.${hp.blockCount - 1}.ffn_down.weight`)).toEqual([
      hp.feedForwardLength,
      hp.embeddingLength,
    ]);
    expect(shapes.get("output.weight")).toEqual([hp.embeddingLength, info.vocabSize]);
    expect(parsed.tensorInfos).toHaveLength(3 + 9 * hp.blockCount);

    const ours = await readGguf(path);
    expect(ours.tensors.map((t) => t.name)).toEqual(parsed.tensorInfos.map((t) => t.name));
    expect(ours.fileSize).toBeLessThan(1024 * 1024);
  });

  it("is deterministic for a seed and differs between seeds", async () => {
    const [a, b, c] = ["a", "b", "c"].map((n) => join(dir, `${n}.gguf`)) as [string, string, string];
    await createDummyModel(a, { size: "tiny", seed: 9 });
    await createDummyModel(b, { size: "tiny", seed: 9 });
    await createDummyModel(c, { size: "tiny", seed: 10 });
    const [ba, bb, bc] = (await Promise.all([a, b, c].map((p) => readFile(p)))) as [Buffer, Buffer, Buffer];
    expect(ba.equals(bb)).toBe(true);
    expect(ba.equals(bc)).toBe(false);
    expect(ba.length).toBe(bc.length);
  });

  it("writes the small model in Q8_0 with 25-75 M parameters", async () => {
    const path = join(dir, "small.gguf");
    const info = await createDummyModel(path, { size: "small" });
    const parsed = await gguf(path, { allowLocalFile: true, computeParametersCount: true });
    expect(parsed.parameterCount).toBe(info.parameters);
    expect(info.parameters).toBeGreaterThan(25e6);
    expect(info.parameters).toBeLessThan(75e6);
    const types = new Set(parsed.tensorInfos.filter((t) => t.shape.length === 2).map((t) => t.dtype));
    expect([...types]).toEqual([8]); // GGML Q8_0
    const ours = await readGguf(path);
    const last = ours.tensors.at(-1)!;
    // 34 bytes per 32 weights: the file ends right after the last tensor's data.
    expect(ours.dataOffset + last.offset + (last.dims[0]! * last.dims[1]! * 34) / 32).toBe(ours.fileSize);
  });
});
