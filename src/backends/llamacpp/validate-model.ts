import { DocketError } from "../../domain/errors.js";
import { type GgufFile, GgufFormatError, type GgufMetaValue, readGguf } from "../../gguf/gguf-reader.js";

export interface ModelSummary {
  path: string;
  architecture: string;
  name: string | null;
  description: string | null;
  contextLength: number;
  embeddingLength: number;
  blockCount: number;
  vocabSize: number;
  tokenizerModel: string;
  hasChatTemplate: boolean;
  tensorCount: number;
  parameters: number;
  fileSize: number;
}

/** Metadata llama.cpp refuses to load without, for every architecture. */
const COMMON_REQUIRED = [
  "context_length",
  "embedding_length",
  "block_count",
  "attention.head_count",
] as const;
/** Extra keys the llama loader reads unconditionally. */
const LLAMA_REQUIRED = ["feed_forward_length", "attention.layer_norm_rms_epsilon"] as const;
const LLAMA_BLOCK_TENSORS = [
  "attn_norm",
  "attn_q",
  "attn_k",
  "attn_v",
  "attn_output",
  "ffn_norm",
  "ffn_gate",
  "ffn_up",
  "ffn_down",
] as const;

/**
 * Checks a GGUF before the native loader sees it: llama.cpp aborts the whole process
 * (SIGABRT) on some malformed files, and even its thrown errors name no file. Every failure
 * is a DocketError `model_invalid` whose message starts with `model <path>`.
 */
export async function validateModel(path: string): Promise<ModelSummary> {
  const fail = (what: string) => new DocketError("model_invalid", `model ${path} ${what}`, 400);
  let gguf: GgufFile;
  try {
    gguf = await readGguf(path);
  } catch (error) {
    if (error instanceof GgufFormatError) throw fail(error.message);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw fail("does not exist");
    if (code === "EISDIR") throw fail("is a directory, not a GGUF file");
    throw fail(`cannot be read: ${(error as Error).message}`);
  }
  const meta = gguf.metadata;

  const architecture = meta.get("general.architecture");
  if (typeof architecture !== "string" || !architecture)
    throw fail("is missing required metadata 'general.architecture'");
  const positive = (key: string): number => {
    const v = meta.get(key);
    if (v === undefined) throw fail(`is missing required metadata '${key}'`);
    if (typeof v !== "number" || !(v > 0)) throw fail(`has invalid metadata '${key}' (${describe(v)})`);
    return v;
  };
  const [contextLength, embeddingLength, blockCount, headCount] = COMMON_REQUIRED.map((k) =>
    positive(`${architecture}.${k}`),
  ) as [number, number, number, number];
  if (architecture === "llama") {
    for (const k of LLAMA_REQUIRED) positive(`llama.${k}`);
    if (embeddingLength % headCount !== 0) {
      throw fail(`has llama.embedding_length ${embeddingLength} not divisible by head_count ${headCount}`);
    }
  }

  const { vocabSize, tokenizerModel } = checkVocab(meta, fail);
  checkTensors(gguf, architecture, blockCount, embeddingLength, vocabSize, fail);

  const text = (key: string) => {
    const v = meta.get(key);
    return typeof v === "string" ? v : null;
  };
  return {
    path,
    architecture,
    name: text("general.name"),
    description: text("general.description"),
    contextLength,
    embeddingLength,
    blockCount,
    vocabSize,
    tokenizerModel,
    hasChatTemplate: text("tokenizer.chat_template") !== null,
    tensorCount: gguf.tensors.length,
    parameters: gguf.tensors.reduce((sum, t) => sum + t.dims.reduce((a, b) => a * b, 1), 0),
    fileSize: gguf.fileSize,
  };
}

function checkVocab(
  meta: Map<string, GgufMetaValue>,
  fail: (what: string) => DocketError,
): { vocabSize: number; tokenizerModel: string } {
  const tokenizerModel = meta.get("tokenizer.ggml.model");
  if (typeof tokenizerModel !== "string") throw fail("is missing required metadata 'tokenizer.ggml.model'");
  const tokens = meta.get("tokenizer.ggml.tokens");
  if (!Array.isArray(tokens) || tokens.length === 0 || !tokens.every((t) => typeof t === "string")) {
    throw fail("is missing required metadata 'tokenizer.ggml.tokens' (a non-empty list of strings)");
  }
  for (const key of ["tokenizer.ggml.scores", "tokenizer.ggml.token_type"]) {
    const v = meta.get(key);
    if (v !== undefined && (!Array.isArray(v) || v.length !== tokens.length)) {
      throw fail(
        `has '${key}' with ${Array.isArray(v) ? v.length : "no"} entries for ${tokens.length} tokens`,
      );
    }
  }
  if (tokenizerModel === "llama") {
    // SentencePiece falls back to byte tokens for any character not in the vocabulary.
    const known = new Set(tokens as string[]);
    const missing: string[] = [];
    for (let b = 0; b < 256; b++) {
      const tok = `<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`;
      if (!known.has(tok)) missing.push(tok);
    }
    if (missing.length > 0) {
      throw fail(
        `has a 'llama' tokenizer without byte tokens (${missing.length} of 256 missing, e.g. ${missing[0]}); ` +
          "it could not tokenize arbitrary text",
      );
    }
  } else if (tokenizerModel === "gpt2" && !Array.isArray(meta.get("tokenizer.ggml.merges"))) {
    throw fail("has a 'gpt2' tokenizer without 'tokenizer.ggml.merges'");
  }
  for (const key of ["bos_token_id", "eos_token_id", "unknown_token_id", "padding_token_id"]) {
    const v = meta.get(`tokenizer.ggml.${key}`);
    if (typeof v === "number" && (v < 0 || v >= tokens.length)) {
      throw fail(`has tokenizer.ggml.${key} ${v} outside the vocabulary of ${tokens.length} tokens`);
    }
  }
  return { vocabSize: tokens.length, tokenizerModel };
}

function checkTensors(
  gguf: GgufFile,
  architecture: string,
  blockCount: number,
  embeddingLength: number,
  vocabSize: number,
  fail: (what: string) => DocketError,
): void {
  const byName = new Map(gguf.tensors.map((t) => [t.name, t]));
  if (byName.size !== gguf.tensors.length) throw fail("has duplicate tensor names");
  if (architecture !== "llama") return; // other architectures: the header checks above are what we know
  const embd = byName.get("token_embd.weight");
  if (!embd) throw fail("is missing tensor 'token_embd.weight'");
  if (embd.dims[0] !== embeddingLength || embd.dims[1] !== vocabSize) {
    throw fail(
      `has tensor 'token_embd.weight' of shape [${embd.dims.join(", ")}], expected [${embeddingLength}, ${vocabSize}]`,
    );
  }
  if (!byName.has("output_norm.weight")) throw fail("is missing tensor 'output_norm.weight'");
  const experts = gguf.metadata.get("llama.expert_count");
  const dense = !(typeof experts === "number" && experts > 0);
  for (let b = 0; b < blockCount; b++) {
    for (const t of LLAMA_BLOCK_TENSORS) {
      if (!dense && t.startsWith("ffn_") && t !== "ffn_norm") continue; // MoE names its FFN tensors differently
      if (!byName.has(`blk.${b}.${t}.weight`)) throw fail(`is missing tensor 'blk.${b}.${t}.weight'`);
    }
  }
}

function describe(v: GgufMetaValue): string {
  if (Array.isArray(v)) return `a list of ${v.length}`;
  return `${typeof v} ${String(v)}`;
}
