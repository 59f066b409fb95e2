import { createRequire } from "node:module";
import type { TiktokenBPE } from "js-tiktoken/lite";

/**
 * A tiktoken encoding's ranks as one hash table in a SharedArrayBuffer, so every counting
 * thread reads the same copy: gpt-tokenizer's encoding costs ~78 MB of RSS per thread (its
 * ranks as JavaScript strings and Maps), this ~5 MB once for the whole process.
 *
 * Layout (all views over `buffer`): `slots` (Int32, `capacity` of them: a rank, or -1 when
 * empty; open addressing with linear probing on an FNV-1a hash of the token's bytes),
 * `offsets` and `lengths` (per rank: where the token's bytes are in `bytes`), then `bytes`.
 * Plain data only: it crosses to worker threads by structured clone, the buffer shared.
 */
export interface BpeTable {
  buffer: SharedArrayBuffer;
  capacity: number;
  /** One past the largest rank. */
  ranks: number;
  bytesLength: number;
  /** The encoding's split pattern, `\s` spelled out as the reference tokenizer means it. */
  pattern: string;
}

/**
 * Unicode White_Space, which `\s` means in the reference tokenizer's regex (OpenAI's tiktoken,
 * Rust). JavaScript's `\s` differs: it also matches U+FEFF and does not match U+0085.
 */
const WHITE_SPACE = String.raw`\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000`;

/** The encoding's split pattern with `\s`/`\S` spelled out as the reference means them. */
export function referencePattern(patStr: string): string {
  return patStr
    .replaceAll(String.raw`[^\s`, `[^${WHITE_SPACE}`)
    .replaceAll(String.raw`\s`, `[${WHITE_SPACE}]`)
    .replaceAll(String.raw`\S`, `[^${WHITE_SPACE}]`);
}

export type BpeEncodingName = "o200k_base" | "cl100k_base";

const requireCjs = createRequire(import.meta.url);
const tables = new Map<BpeEncodingName, BpeTable>();

/**
 * The ranks shipped in js-tiktoken, loaded on first use (3.4 MB of source for both): commands
 * that never count exactly should not pay for them.
 */
export function tiktokenRanks(name: BpeEncodingName): TiktokenBPE {
  const ranks = requireCjs(`js-tiktoken/ranks/${name}`) as TiktokenBPE | { default: TiktokenBPE };
  return "default" in ranks ? ranks.default : ranks;
}

/** The table for an encoding, built on first use (~0.2 s). */
export function bpeTable(name: BpeEncodingName): BpeTable {
  let table = tables.get(name);
  if (!table) {
    table = buildBpeTable(tiktokenRanks(name));
    tables.set(name, table);
  }
  return table;
}

/** Builds the table from js-tiktoken's compressed ranks ("<key> <first rank> <base64> <base64> …" lines). */
export function buildBpeTable(source: TiktokenBPE): BpeTable {
  // Decoded straight into one buffer (no object per token: a build that made 200k Buffers left
  // tens of MB of garbage in the old generation of a process that is meant to stay small).
  const text = source.bpe_ranks;
  const pool = Buffer.allocUnsafe(Math.ceil((text.length * 3) / 4));
  const starts: number[] = [];
  const rankOf: number[] = [];
  let maxRank = -1;
  let bytesLength = 0;
  for (let line = 0; line < text.length; ) {
    let lineEnd = text.indexOf("\n", line);
    if (lineEnd === -1) lineEnd = text.length;
    // "<key> <first rank> <base64> <base64> …"
    const afterKey = text.indexOf(" ", line) + 1;
    let at = text.indexOf(" ", afterKey);
    if (afterKey > 0 && at !== -1 && at < lineEnd) {
      let rank = Number.parseInt(text.slice(afterKey, at), 10);
      while (at < lineEnd) {
        let end = text.indexOf(" ", at + 1);
        if (end === -1 || end > lineEnd) end = lineEnd;
        starts.push(bytesLength);
        rankOf.push(rank);
        bytesLength += pool.write(text.slice(at + 1, end), bytesLength, "base64");
        maxRank = Math.max(maxRank, rank++);
        at = end;
      }
    }
    line = lineEnd + 1;
  }
  starts.push(bytesLength);
  const ranks = maxRank + 1;
  // Load factor under 0.4: probes stay short for the many misses BPE merging looks up.
  let capacity = 1;
  while (capacity < rankOf.length * 2.5) capacity *= 2;
  const slotsBytes = capacity * 4;
  const buffer = new SharedArrayBuffer(slotsBytes + ranks * 4 + ranks * 2 + bytesLength);
  const slots = new Int32Array(buffer, 0, capacity).fill(-1);
  const offsets = new Uint32Array(buffer, slotsBytes, ranks);
  const lengths = new Uint16Array(buffer, slotsBytes + ranks * 4, ranks);
  const bytes = new Uint8Array(buffer, slotsBytes + ranks * 6, bytesLength);
  bytes.set(pool.subarray(0, bytesLength));
  for (let t = 0; t < rankOf.length; t++) {
    const rank = rankOf[t]!;
    const from = starts[t]!;
    const to = starts[t + 1]!;
    offsets[rank] = from;
    lengths[rank] = to - from;
    let h = 0x811c9dc5;
    for (let i = from; i < to; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
    let slot = (h >>> 0) & (capacity - 1);
    while (slots[slot] !== -1) slot = (slot + 1) & (capacity - 1);
    slots[slot] = rank;
  }
  return { buffer, capacity, ranks, bytesLength, pattern: referencePattern(source.pat_str) };
}
