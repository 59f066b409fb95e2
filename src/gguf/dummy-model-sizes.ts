import { GgmlType } from "./gguf-format.js";

export type DummyModelSize = "tiny" | "small" | "medium";

export const DUMMY_MODEL_SIZES: readonly DummyModelSize[] = ["tiny", "small", "medium"];

export interface DummyHyperparameters {
  embeddingLength: number;
  blockCount: number;
  headCount: number;
  headCountKv: number;
  feedForwardLength: number;
  contextLength: number;
  /** Type of the 2-D weight matrices; norms are always F32 (llama.cpp requires it). */
  weightType: GgmlType.F16 | GgmlType.Q8_0;
}

/**
 * tiny: ~110 k parameters (~220 KB, F16) for tests; small: ~25 M in Q8_0 (~27 MB) for
 * benchmarks; medium: ~135 M in Q8_0 (~145 MB) for heavier load. Widths are multiples of 32
 * so every row splits into whole Q8_0 blocks.
 */
export const DUMMY_HYPERPARAMETERS: Record<DummyModelSize, DummyHyperparameters> = {
  tiny: {
    embeddingLength: 64,
    blockCount: 2,
    headCount: 4,
    headCountKv: 2,
    feedForwardLength: 128,
    contextLength: 2048,
    weightType: GgmlType.F16,
  },
  small: {
    embeddingLength: 512,
    blockCount: 8,
    headCount: 8,
    headCountKv: 4,
    feedForwardLength: 1536,
    contextLength: 2048,
    weightType: GgmlType.Q8_0,
  },
  medium: {
    embeddingLength: 1024,
    blockCount: 12,
    headCount: 16,
    headCountKv: 4,
    feedForwardLength: 2816,
    contextLength: 4096,
    weightType: GgmlType.Q8_0,
  },
};

export function isDummyModelSize(s: string): s is DummyModelSize {
  return (DUMMY_MODEL_SIZES as readonly string[]).includes(s);
}
