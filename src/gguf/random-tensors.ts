import type { SeededRandom } from "../domain/seeded-random.js";
import { toFloat16Bits } from "./f16.js";

/** Elements produced per chunk: small enough to keep memory flat, large enough for few writes. */
const CHUNK_ELEMENTS = 1 << 18;
const Q8_BLOCK = 32;
const Q8_BLOCK_BYTES = 34;

/** A tensor of a constant in F32 (RMS-norm weights of 1 leave activations unscaled). */
export function* constantF32(elements: number, value: number): Generator<Buffer> {
  const buf = Buffer.alloc(elements * 4);
  for (let i = 0; i < elements; i++) buf.writeFloatLE(value, i * 4);
  yield buf;
}

/** Uniform random F16 values in [-scale, scale). */
export function* randomF16(elements: number, scale: number, rng: SeededRandom): Generator<Buffer> {
  for (let done = 0; done < elements; ) {
    const n = Math.min(CHUNK_ELEMENTS, elements - done);
    const buf = Buffer.alloc(n * 2);
    for (let i = 0; i < n; i++) buf.writeUInt16LE(toFloat16Bits(rng.symmetric(scale)), i * 2);
    done += n;
    yield buf;
  }
}

/**
 * Random Q8_0 blocks: each is an f16 scale `d` followed by 32 int8 quants, decoding to
 * `d * q`. Choosing quants uniform in [-127, 127] and d = scale / 127 gives values uniform in
 * [-scale, scale], the same distribution as the F16 path.
 */
export function* randomQ8_0(elements: number, scale: number, rng: SeededRandom): Generator<Buffer> {
  if (elements % Q8_BLOCK !== 0)
    throw new Error(`Q8_0 needs a multiple of ${Q8_BLOCK} elements, got ${elements}`);
  const d = toFloat16Bits(scale / 127);
  const totalBlocks = elements / Q8_BLOCK;
  const blocksPerChunk = CHUNK_ELEMENTS / Q8_BLOCK;
  for (let done = 0; done < totalBlocks; ) {
    const n = Math.min(blocksPerChunk, totalBlocks - done);
    const buf = Buffer.alloc(n * Q8_BLOCK_BYTES);
    for (let b = 0; b < n; b++) {
      const base = b * Q8_BLOCK_BYTES;
      buf.writeUInt16LE(d, base);
      for (let i = 0; i < Q8_BLOCK; i++) buf.writeInt8(rng.int(-127, 127), base + 2 + i);
    }
    done += n;
    yield buf;
  }
}
