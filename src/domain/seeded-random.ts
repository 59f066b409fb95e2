/**
 * mulberry32: a tiny, fast PRNG with a 32-bit state. The same seed gives the same sequence on
 * every machine, which `Math.random` cannot promise: the dummy GGUF writer draws its weights
 * from it and the fake backend its failures and its text. Not for anything that needs real
 * randomness.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The same sequence as `seededRandom`, with the ranged draws a caller needs. */
export class SeededRandom {
  private readonly draw: () => number;

  constructor(seed: number) {
    this.draw = seededRandom(seed);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.draw();
  }

  /** Uniform in [-scale, scale). */
  symmetric(scale: number): number {
    return (this.next() * 2 - 1) * scale;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
}
