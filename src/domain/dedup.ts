/**
 * Identical requests once (docs/dedup-and-cache.md): the record-level decisions validation makes
 * and the job-level usage they add up to. Pure types; the rules live in src/dedup/.
 */

/** What validation decided for a deterministic record of a job that deduplicates or caches. */
export interface RecordDedup {
  /** The request's key (dedup/dedup-key.ts): project, route, endpoint and body, hashed. */
  key: string;
  /** A follower: it is never sent and takes the answer of the record at this position (its leader). */
  follows?: number;
  /**
   * A record that is sent and whose answer is handed on when it ends: `fanout` to its followers,
   * `cache` to its followers and the response cache. Absent: nothing to hand on.
   */
  due?: "fanout" | "cache";
  /**
   * A hit in the response cache when it was validated: stored finished with the cached answer,
   * which the store copies from the cache in the insert's own transaction (never through memory);
   * should the entry be gone by then, the record is stored to be sent like any other.
   * `savedUsd`: what its call would have cost at the on-demand price (0 when none is known).
   */
  fromCache?: { savedUsd: number };
}

/** What a cache lookup says of a live entry (its answer stays in the store). */
export interface CacheHit {
  inputTokens: number | null;
  outputTokens: number | null;
}

/** Where an answer came from when the record did not make its own call (its output line says so). */
export type ServedFrom = "leader" | "cache";

/** A job's dedup and cache settings and what they saved (the batch object's `dedup` extension). */
export interface JobDedup {
  /** What the job asked for: true/false, or null to follow its routes' settings. */
  dedup: boolean | null;
  cache: boolean | null;
  /** Records answered by another record's call in the same job. */
  deduplicated: number;
  /** Records answered from the response cache. */
  cached: number;
  /** Tokens those records would have used, and what they would have cost at the on-demand price. */
  savedInputTokens: number;
  savedOutputTokens: number;
  savedUsd: number;
}

/** Which dedup and cache a job asks for at creation (null: its routes' settings). */
export interface JobDedupOptions {
  dedup: boolean | null;
  cache: boolean | null;
}
