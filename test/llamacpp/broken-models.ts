import { truncate } from "node:fs/promises";
import { dummyModelParts } from "../../src/gguf/create-dummy-model.js";
import { type GgufTensorSpec, writeGguf } from "../../src/gguf/gguf-writer.js";

/** Deliberately malformed variants of the tiny dummy model, written the way a bad export would be. */
export async function writeModelWithout(path: string, key: string): Promise<void> {
  const parts = dummyModelParts({ size: "tiny" });
  await writeGguf(
    path,
    parts.metadata.filter(([k]) => k !== key),
    parts.tensors,
  );
}

/** A 'llama' tokenizer whose byte tokens were renamed away: SentencePiece fallback impossible. */
export async function writeModelWithoutByteTokens(path: string): Promise<void> {
  const parts = dummyModelParts({ size: "tiny" });
  const metadata = parts.metadata.map(([k, v]): [string, typeof v] =>
    k === "tokenizer.ggml.tokens" && v.type === "string[]"
      ? [k, { type: "string[]", value: v.value.map((t, i) => (t.startsWith("<0x") ? `tok${i}` : t)) }]
      : [k, v],
  );
  await writeGguf(path, metadata, parts.tensors);
}

export async function writeTruncatedModel(path: string, keepFraction: number): Promise<void> {
  const parts = dummyModelParts({ size: "tiny" });
  await writeGguf(path, parts.metadata, parts.tensors);
  const { size } = await import("node:fs/promises").then((fs) => fs.stat(path));
  await truncate(path, Math.floor(size * keepFraction));
}

/**
 * head_count_kv 3 with head_count 4: every key passes validation and llama.cpp loads the
 * tensors, then ggml aborts (SIGABRT, `GGML_ASSERT(ggml_can_mul_mat(k, q))`) building the
 * attention graph. The natural test of process isolation.
 */
export async function writeModelThatAbortsLlamaCpp(path: string): Promise<void> {
  const parts = dummyModelParts({ size: "tiny" });
  const n = parts.hyperparameters.embeddingLength;
  const kvWidth = (n / parts.hyperparameters.headCount) * 3;
  const metadata = parts.metadata.map(([k, v]): [string, typeof v] =>
    k === "llama.attention.head_count_kv" ? [k, { type: "u32", value: 3 }] : [k, v],
  );
  const tensors = parts.tensors.map(
    (t): GgufTensorSpec =>
      /attn_[kv]\.weight$/.test(t.name)
        ? { ...t, dims: [n, kvWidth], data: () => [Buffer.alloc(n * kvWidth * 2)] }
        : t,
  );
  await writeGguf(path, metadata, tensors);
}
