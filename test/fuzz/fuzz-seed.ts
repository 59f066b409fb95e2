import { seededRandom } from "../../src/domain/seeded-random.js";

/**
 * Seeds and case ids for the fuzz suite. Every generated file draws from its own generator,
 * derived from (seed, suite, index), so one case can be replayed alone: `DOCKET_FUZZ_SEED=<seed>
 * DOCKET_FUZZ_CASE=<case id> npx vitest run test/fuzz/<file>` regenerates exactly its bytes.
 */

/** The fixed default: `npm test` is deterministic; set DOCKET_FUZZ_SEED to explore other inputs. */
export const DEFAULT_FUZZ_SEED = 17_2026;

export function fuzzSeed(): number {
  const raw = process.env.DOCKET_FUZZ_SEED;
  if (raw === undefined || raw === "") return DEFAULT_FUZZ_SEED;
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new Error(`DOCKET_FUZZ_SEED must be an integer, got '${raw}'.`);
  return n;
}

/**
 * DOCKET_FUZZ_CASE=f0421 (or a comma list; a line id such as f0421.l7 selects its file) runs
 * only those files, and prints each one's bytes and outcome; unset: all.
 */
export function caseFilter(): ((caseId: string) => boolean) | null {
  const raw = process.env.DOCKET_FUZZ_CASE;
  if (!raw) return null;
  const wanted = new Set(raw.split(",").map((s) => s.trim().replace(/\.l\d+$/, "")));
  return (caseId) => wanted.has(caseId);
}

export function replayHint(seed: number, caseId: string, testFile: string): string {
  return `replay: DOCKET_FUZZ_SEED=${seed} DOCKET_FUZZ_CASE=${caseId} npx vitest run ${testFile}`;
}

export interface Rand {
  /** [0, 1) */
  next(): number;
  int(lo: number, hi: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
  shuffle<T>(items: T[]): T[];
}

/** The project's seeded generator (mulberry32): the same seed gives the same stream. */
export function rand(seed: number): Rand {
  const next = seededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  return {
    next,
    int,
    pick: (items) => items[int(0, items.length - 1)]!,
    chance: (p) => next() < p,
    shuffle(items) {
      for (let i = items.length - 1; i > 0; i--) {
        const j = int(0, i);
        [items[i], items[j]] = [items[j]!, items[i]!];
      }
      return items;
    },
  };
}

/** A generator for one case, independent of every other case's draws. */
export function caseRand(seed: number, suite: string, index: number): Rand {
  let h = 2_166_136_261 ^ seed;
  for (const ch of `${suite}#${index}`) h = Math.imul(h ^ ch.charCodeAt(0), 16_777_619);
  return rand(h ^ Math.imul(seed, 0x9e3779b1));
}
