import { SeededRandom } from "../domain/seeded-random.js";
import { BOS_ID, byteVocab, DUMMY_CHAT_TEMPLATE, EOS_ID, UNK_ID } from "./byte-vocab.js";
import {
  DUMMY_HYPERPARAMETERS,
  type DummyHyperparameters,
  type DummyModelSize,
} from "./dummy-model-sizes.js";
import { GgmlType } from "./gguf-format.js";
import { type GgufTensorSpec, type GgufValue, writeGguf } from "./gguf-writer.js";
import { constantF32, randomF16, randomQ8_0 } from "./random-tensors.js";

export interface DummyModelOptions {
  size: DummyModelSize;
  /** Same seed, same bytes. Defaults to 1. */
  seed?: number;
}

export interface DummyModelInfo {
  path: string;
  size: DummyModelSize;
  seed: number;
  parameters: number;
  vocabSize: number;
  hyperparameters: DummyHyperparameters;
}

/** Stored in `general.description` so `docket model inspect` and people reading the file know. */
export const DUMMY_MODEL_DESCRIPTION =
  "Docket dummy model: random weights, so it generates random tokens. For tests and benchmarks only.";

/** llama.cpp's `general.file_type` values for the weight types we write. */
const FILE_TYPE: Record<DummyHyperparameters["weightType"], number> = {
  [GgmlType.F16]: 1, // MOSTLY_F16
  [GgmlType.Q8_0]: 7, // MOSTLY_Q8_0
};

/**
 * Writes a llama-architecture GGUF with random weights and a byte-level tokenizer. It loads in
 * llama.cpp like any model; its text is noise. Tensors stream to disk.
 */
export async function createDummyModel(outPath: string, options: DummyModelOptions): Promise<DummyModelInfo> {
  const seed = options.seed ?? 1;
  const { metadata, tensors, hyperparameters, vocabSize } = dummyModelParts(options);
  await writeGguf(outPath, metadata, tensors);
  const parameters = tensors.reduce((sum, t) => sum + t.dims.reduce((a, b) => a * b, 1), 0);
  return { path: outPath, size: options.size, seed, parameters, vocabSize, hyperparameters };
}

export interface DummyModelParts {
  metadata: Array<[string, GgufValue]>;
  tensors: GgufTensorSpec[];
  hyperparameters: DummyHyperparameters;
  vocabSize: number;
}

/**
 * The metadata and tensors of a dummy model before writing, so tests can write deliberately
 * broken variants (a key removed, a tensor reshaped) with `writeGguf`.
 */
export function dummyModelParts(options: DummyModelOptions): DummyModelParts {
  const hp = DUMMY_HYPERPARAMETERS[options.size];
  const vocab = byteVocab();
  return {
    metadata: llamaMetadata(options.size, hp, vocab),
    tensors: llamaTensors(hp, vocab.tokens.length, new SeededRandom(options.seed ?? 1)),
    hyperparameters: hp,
    vocabSize: vocab.tokens.length,
  };
}

function llamaMetadata(
  size: DummyModelSize,
  hp: DummyHyperparameters,
  vocab: ReturnType<typeof byteVocab>,
): Array<[string, GgufValue]> {
  const headDim = hp.embeddingLength / hp.headCount;
  const u32 = (value: number): GgufValue => ({ type: "u32", value });
  const meta: Array<[string, GgufValue]> = [
    ["general.architecture", { type: "string", value: "llama" }],
    ["general.name", { type: "string", value: `docket-dummy-${size}` }],
    ["general.description", { type: "string", value: DUMMY_MODEL_DESCRIPTION }],
    ["general.file_type", u32(FILE_TYPE[hp.weightType])],
    ["llama.vocab_size", u32(vocab.tokens.length)],
    ["llama.context_length", u32(hp.contextLength)],
    ["llama.embedding_length", u32(hp.embeddingLength)],
    ["llama.block_count", u32(hp.blockCount)],
    ["llama.feed_forward_length", u32(hp.feedForwardLength)],
    ["llama.attention.head_count", u32(hp.headCount)],
    ["llama.attention.head_count_kv", u32(hp.headCountKv)],
    ["llama.rope.dimension_count", u32(headDim)],
    ["llama.rope.freq_base", { type: "f32", value: 10000 }],
    ["llama.attention.layer_norm_rms_epsilon", { type: "f32", value: 1e-5 }],
    ["tokenizer.ggml.model", { type: "string", value: "llama" }],
    ["tokenizer.ggml.tokens", { type: "string[]", value: vocab.tokens }],
    ["tokenizer.ggml.scores", { type: "f32[]", value: vocab.scores }],
    ["tokenizer.ggml.token_type", { type: "i32[]", value: vocab.types }],
    ["tokenizer.ggml.bos_token_id", u32(BOS_ID)],
    ["tokenizer.ggml.eos_token_id", u32(EOS_ID)],
    ["tokenizer.ggml.unknown_token_id", u32(UNK_ID)],
    ["tokenizer.ggml.add_bos_token", { type: "bool", value: true }],
    ["tokenizer.ggml.add_eos_token", { type: "bool", value: false }],
    // No leading "▁" on every prompt: byte-level text should tokenize to exactly its bytes.
    ["tokenizer.ggml.add_space_prefix", { type: "bool", value: false }],
    ["tokenizer.chat_template", { type: "string", value: DUMMY_CHAT_TEMPLATE }],
  ];
  if (hp.weightType !== GgmlType.F16) meta.push(["general.quantization_version", u32(2)]);
  return meta;
}

function llamaTensors(hp: DummyHyperparameters, vocabSize: number, rng: SeededRandom): GgufTensorSpec[] {
  const n = hp.embeddingLength;
  const kvWidth = (n / hp.headCount) * hp.headCountKv;
  // Uniform in ±sqrt(3/fan_in) has variance 1/fan_in: activations keep their scale layer to layer.
  const matrix = (name: string, fanIn: number, rows: number): GgufTensorSpec => ({
    name,
    dims: [fanIn, rows],
    type: hp.weightType,
    data: () => {
      const scale = Math.sqrt(3 / fanIn);
      return hp.weightType === GgmlType.Q8_0
        ? randomQ8_0(fanIn * rows, scale, rng)
        : randomF16(fanIn * rows, scale, rng);
    },
  });
  const norm = (name: string): GgufTensorSpec => ({
    name,
    dims: [n],
    type: GgmlType.F32,
    data: () => constantF32(n, 1),
  });

  const tensors: GgufTensorSpec[] = [
    // Embedding rows get unit-scale values: the first RMS norm rescales them anyway.
    { ...matrix("token_embd.weight", n, vocabSize), data: () => embeddingData(hp, n * vocabSize, rng) },
  ];
  for (let b = 0; b < hp.blockCount; b++) {
    tensors.push(
      norm(`blk.${b}.attn_norm.weight`),
      matrix(`blk.${b}.attn_q.weight`, n, n),
      matrix(`blk.${b}.attn_k.weight`, n, kvWidth),
      matrix(`blk.${b}.attn_v.weight`, n, kvWidth),
      matrix(`blk.${b}.attn_output.weight`, n, n),
      norm(`blk.${b}.ffn_norm.weight`),
      matrix(`blk.${b}.ffn_gate.weight`, n, hp.feedForwardLength),
      matrix(`blk.${b}.ffn_up.weight`, n, hp.feedForwardLength),
      matrix(`blk.${b}.ffn_down.weight`, hp.feedForwardLength, n),
    );
  }
  tensors.push(norm("output_norm.weight"), matrix("output.weight", n, vocabSize));
  return tensors;
}

function embeddingData(hp: DummyHyperparameters, elements: number, rng: SeededRandom): Iterable<Buffer> {
  return hp.weightType === GgmlType.Q8_0 ? randomQ8_0(elements, 1, rng) : randomF16(elements, 1, rng);
}
