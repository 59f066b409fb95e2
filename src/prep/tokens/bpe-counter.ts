import type { BpeTable } from "./bpe-table.js";

/**
 * A token counter over a shared BPE table: OpenAI's tiktoken's algorithm (split with the
 * encoding's pattern, then per piece merge the adjacent pair of lowest rank, leftmost first,
 * until none is a token), counting instead of collecting tokens.
 *
 * Self-contained on purpose (it refers to nothing outside its body): its source text is what
 * counting threads evaluate, so they start the same from the sources (tests, bench) and from
 * the build, and hold nothing but this function and a piece cache.
 */
export function makeBpeCounter(table: BpeTable): (text: string) => number {
  const { buffer, capacity, ranks } = table;
  const mask = capacity - 1;
  const slots = new Int32Array(buffer, 0, capacity);
  const offsets = new Uint32Array(buffer, capacity * 4, ranks);
  const lengths = new Uint16Array(buffer, capacity * 4 + ranks * 4, ranks);
  const tokenBytes = new Uint8Array(buffer, capacity * 4 + ranks * 6, table.bytesLength);
  // Pieces are found with a sticky `test()`, which builds no match array (half the garbage of
  // `exec()`); the pattern matches every character, so pieces are contiguous, and should one
  // not match, the search for the next piece skips it as tiktoken does.
  const pieceAt = new RegExp(table.pattern, "yu");
  const nextPiece = new RegExp(table.pattern, "gu");
  const NONE = 0x7fffffff;
  /** Pieces in natural text repeat: their counts are remembered, up to a bound. */
  const MAX_CACHED = 1 << 16;
  const cache = new Map<string, number>();
  /** Longer pieces are merged with a heap: the linear scan is quadratic in the piece's length. */
  const LINEAR_UP_TO = 256;
  const encoder = new TextEncoder();
  let scratch = new Uint8Array(1024);
  let starts = new Int32Array(1024);
  let pairRanks = new Int32Array(1024);

  /** Rank of scratch[from, to), or NONE. */
  function rankOf(from: number, to: number): number {
    let h = 0x811c9dc5;
    for (let i = from; i < to; i++) h = Math.imul(h ^ scratch[i]!, 0x01000193);
    const length = to - from;
    for (let slot = (h >>> 0) & mask; ; slot = (slot + 1) & mask) {
      const rank = slots[slot]!;
      if (rank === -1) return NONE;
      if (lengths[rank] !== length) continue;
      const at = offsets[rank]!;
      let same = true;
      for (let i = 0; i < length; i++) {
        if (tokenBytes[at + i] !== scratch[from + i]) {
          same = false;
          break;
        }
      }
      if (same) return rank;
    }
  }

  function mergeLinear(n: number): number {
    for (let i = 0; i < n - 1; i++) {
      starts[i] = i;
      pairRanks[i] = rankOf(i, i + 2);
    }
    starts[n - 1] = n - 1;
    pairRanks[n - 1] = NONE;
    starts[n] = n;
    pairRanks[n] = NONE;
    let parts = n + 1;
    for (;;) {
      let min = NONE;
      let at = -1;
      for (let k = 0; k < parts - 1; k++) {
        if (pairRanks[k]! < min) {
          min = pairRanks[k]!;
          at = k;
        }
      }
      if (at === -1) return parts - 1;
      if (at > 0) pairRanks[at - 1] = at + 2 < parts ? rankOf(starts[at - 1]!, starts[at + 2]!) : NONE;
      pairRanks[at] = at + 3 < parts ? rankOf(starts[at]!, starts[at + 3]!) : NONE;
      starts.copyWithin(at + 1, at + 2, parts);
      pairRanks.copyWithin(at + 1, at + 2, parts);
      parts--;
    }
  }

  /**
   * The same merges in the same order (lowest rank, then leftmost start: a start never moves,
   * and a rank with its start names one span), with a heap of candidate pairs and a linked list
   * of parts; stale candidates are skipped when popped.
   */
  function mergeWithHeap(n: number): number {
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    const current = new Int32Array(n);
    const heap: number[] = [];
    const push = (rank: number, start: number) => {
      // rank < 2^18 and start < 2^25: the key is exact in a double.
      let i = heap.length;
      const key = rank * 33554432 + start;
      heap.push(key);
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (heap[parent]! <= key) break;
        heap[i] = heap[parent]!;
        i = parent;
      }
      heap[i] = key;
    };
    const pop = (): number => {
      const top = heap[0]!;
      const last = heap.pop()!;
      if (heap.length > 0) {
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          if (l >= heap.length) break;
          const r = l + 1;
          const c = r < heap.length && heap[r]! < heap[l]! ? r : l;
          if (heap[c]! >= last) break;
          heap[i] = heap[c]!;
          i = c;
        }
        heap[i] = last;
      }
      return top;
    };
    const pairRank = (s: number) => (next[s]! >= n ? NONE : rankOf(s, next[next[s]!]!));
    for (let i = 0; i < n; i++) {
      next[i] = i + 1;
      prev[i] = i - 1;
    }
    for (let i = 0; i < n; i++) {
      current[i] = pairRank(i);
      if (current[i] !== NONE) push(current[i]!, i);
    }
    let parts = n;
    while (heap.length > 0) {
      const key = pop();
      const start = key % 33554432;
      const rank = (key - start) / 33554432;
      if (current[start] !== rank) continue; // merged away or re-ranked since
      const gone = next[start]!;
      current[gone] = NONE;
      next[start] = next[gone]!;
      if (next[gone]! < n) prev[next[gone]!] = start;
      parts--;
      current[start] = pairRank(start);
      if (current[start] !== NONE) push(current[start]!, start);
      const before = prev[start]!;
      if (before >= 0) {
        current[before] = pairRank(before);
        if (current[before] !== NONE) push(current[before]!, before);
      }
    }
    return parts;
  }

  function countPiece(piece: string): number {
    if (scratch.length < piece.length * 3) scratch = new Uint8Array(piece.length * 3);
    const n = encoder.encodeInto(piece, scratch).written;
    if (n <= 1) return n;
    if (rankOf(0, n) !== NONE) return 1;
    if (n > LINEAR_UP_TO) return mergeWithHeap(n);
    if (starts.length <= n) {
      starts = new Int32Array(n + 1);
      pairRanks = new Int32Array(n + 1);
    }
    return mergeLinear(n);
  }

  return (text: string): number => {
    let total = 0;
    for (let at = 0; at < text.length; ) {
      pieceAt.lastIndex = at;
      if (!pieceAt.test(text)) {
        nextPiece.lastIndex = at;
        const found = nextPiece.exec(text);
        if (found === null) break;
        at = found.index;
        continue;
      }
      const end = pieceAt.lastIndex;
      const pieceText = text.slice(at, end);
      at = end;
      // Up to 12 characters V8 copies a substring; a longer one would keep the whole text alive.
      if (pieceText.length > 12) {
        total += countPiece(pieceText);
        continue;
      }
      let count = cache.get(pieceText);
      if (count === undefined) {
        count = countPiece(pieceText);
        if (cache.size >= MAX_CACHED) cache.clear();
        cache.set(pieceText, count);
      }
      total += count;
    }
    return total;
  };
}
