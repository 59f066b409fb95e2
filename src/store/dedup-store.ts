import type { JobPrice } from "../domain/budget-stop.js";
import type { CacheHit } from "../domain/dedup.js";

/**
 * Identical requests once (docs/dedup-and-cache.md): what validation and the hand-on duty need
 * beyond inserting records (`ValidationStore.insertRecords` stores each record's `dedup`
 * decision: a follower `following`, a cache hit finished with the cached answer).
 */
export interface DedupStore {
  /**
   * Marks records of a job still validating, by position, as leaders whose answer goes to their
   * followers once they end (a leader's first follower may come in a later insert chunk).
   */
  markLeaders(jobId: string, positions: number[]): Promise<void>;
  /** The live entries (expiring after `now`) among `keys`, each marked used now (eviction is LRU). */
  readCache(keys: string[], now: number): Promise<Map<string, CacheHit>>;
  /**
   * Hands on the answers of up to `limit` ended leaders, in one transaction: each follower takes
   * its leader's end state and answer (fenced by its state `following`, so exactly once, even when
   * repeated after a crash), its job's counters and savings grow by what it was given, and a
   * leader due to the cache that succeeded (2xx) stores its answer there (at most
   * `maxEntryBytes`; a newer answer for the same key replaces the older). Then the leader is done.
   */
  handOnAnswers(request: HandOnRequest): Promise<HandOnResult>;
  /**
   * Deletes expired entries, then the least recently used until at most `maxEntries` entries and
   * `maxBytes` answer bytes are left; at most `maxDeletes` per call. Returns how many it deleted.
   */
  trimCache(now: number, bounds: CacheBounds & { maxDeletes: number }): Promise<number>;
  /** How many entries the response cache holds and their answers' bytes. */
  cacheSize(): Promise<{ entries: number; bytes: number }>;
}

export interface HandOnRequest {
  limit: number;
  now: number;
  /** A new cache entry lives this long. */
  cacheTtlMs: number;
  /** Answers longer than this (UTF-8 bytes) are not cached. */
  maxEntryBytes: number;
  /** The on-demand price of a job's model, for the dollars a follower saved; null: unknown (0 counted). */
  priceOf: (model: string | null) => JobPrice | null;
}

export interface HandOnResult {
  /** Leaders whose answer was handed on (0: nothing was due). */
  leaders: number;
  /** Followers that ended with their leader's answer. */
  followers: number;
  /** Answers stored in the response cache. */
  cached: number;
}

export interface CacheBounds {
  maxEntries: number;
  maxBytes: number;
}
