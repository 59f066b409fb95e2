import { costUsd, type JobPrice } from "../domain/budget-stop.js";
import type { CacheHit, RecordDedup } from "../domain/dedup.js";
import type { Endpoint } from "../domain/job.js";
import type { NewRecord } from "../domain/record.js";
import { dedupKey, keyPrefix } from "./dedup-key.js";
import { isDeterministic } from "./request-determinism.js";

/** Bodies longer than this are never deduplicated or cached: hashing and parsing them costs more than it saves. */
export const MAX_DEDUP_BODY_CHARS = 1024 * 1024;

/** What one job's validation needs to decide each record's dedup (dedup-settings.ts builds it). */
export interface JobDedupPolicy {
  projectId: string;
  endpoint: Endpoint;
  /** Whether identical requests of this job on `route` are sent once. */
  dedupFor(route: string): boolean;
  /** Whether the response cache answers (and keeps) requests of this job on `route`. */
  cacheFor(route: string): boolean;
  /** Distinct bodies remembered at most (memory bound); a body first seen beyond is sent as it is. */
  maxDistinct: number;
  /** The on-demand price of a model, for the dollars a cache hit saved; null: unknown. */
  priceOf(model: string | null): JobPrice | null;
}

/** Records as validation hands them over: the line's model comes along (BatchLineRecord). */
export type PlannedRecord = NewRecord & { model?: string | null };

/**
 * One job's dedup decisions, made chunk by chunk as validation inserts its records
 * (docs/dedup-and-cache.md). For each deterministic record of a route with dedup or the cache on:
 * a live cache entry answers it (`fromCache`); else, with dedup on, the first record of a key is
 * its leader and every later one its follower (`follows`: the leader's position). A leader is
 * marked due (`fanout`) when its first follower appears, or from the start when the cache is on
 * (`cache`: its answer is kept). Followers of a leader inserted in an earlier chunk are
 * announced by `plan`'s result, for the store to mark. One planner per validation attempt: a
 * retried validation starts again with the records.
 */
export class JobDedupPlanner {
  /** Key → leader position × 2, + 1 once the leader is marked due. */
  private readonly leaders = new Map<string, number>();
  /** Each route's key prefix, made once. */
  private readonly prefixes = new Map<string, string>();

  constructor(private readonly policy: JobDedupPolicy) {}

  /**
   * Decides the dedup of a chunk's records (setting `record.dedup`), looking their keys up in
   * the cache with `readCache`. Returns the positions of leaders of earlier chunks that got their
   * first follower here (to mark in the store before the job starts).
   */
  async plan(
    chunk: readonly PlannedRecord[],
    readCache: (keys: string[]) => Promise<Map<string, CacheHit>>,
  ): Promise<number[]> {
    const p = this.policy;
    const keyed: Array<{ record: PlannedRecord; key: string; cache: boolean; dedup: boolean }> = [];
    const lookups = new Set<string>();
    for (const record of chunk) {
      if (record.failure || typeof record.body !== "string" || record.body.length > MAX_DEDUP_BODY_CHARS)
        continue;
      const dedup = p.dedupFor(record.route);
      const cache = p.cacheFor(record.route);
      if ((!dedup && !cache) || !isDeterministic(p.endpoint, record.body)) continue;
      const key = dedupKey(this.prefixOf(record.route), record.body);
      keyed.push({ record, key, cache, dedup });
      if (cache) lookups.add(key);
    }
    if (keyed.length === 0) return [];
    const hits = lookups.size > 0 ? await readCache([...lookups]) : new Map<string, CacheHit>();
    const inChunk = new Map<number, RecordDedup>();
    const toMark: number[] = [];
    for (const { record, key, cache, dedup } of keyed) {
      const hit = cache ? hits.get(key) : undefined;
      if (hit) {
        // `due` serves only if the entry is gone by the insert: the record is then sent and kept.
        record.dedup = { key, fromCache: { savedUsd: this.savedUsd(record, hit) }, due: "cache" };
        continue;
      }
      const leader = dedup ? this.leaders.get(key) : undefined;
      if (leader !== undefined) {
        const position = Math.floor(leader / 2);
        record.dedup = { key, follows: position };
        if (leader % 2 === 0) {
          this.leaders.set(key, leader + 1);
          const current = inChunk.get(position);
          if (current) current.due ??= "fanout";
          else toMark.push(position);
        }
        continue;
      }
      const decided: RecordDedup = cache ? { key, due: "cache" } : { key };
      record.dedup = decided;
      if (dedup && this.leaders.size < p.maxDistinct) {
        this.leaders.set(key, record.position * 2 + (cache ? 1 : 0));
        inChunk.set(record.position, decided);
      }
    }
    return toMark;
  }

  private prefixOf(route: string): string {
    let prefix = this.prefixes.get(route);
    if (prefix === undefined) {
      prefix = keyPrefix({ projectId: this.policy.projectId, route, endpoint: this.policy.endpoint });
      this.prefixes.set(route, prefix);
    }
    return prefix;
  }

  private savedUsd(record: PlannedRecord, hit: CacheHit): number {
    const price = this.policy.priceOf(record.model ?? null);
    if (!price) return 0;
    return costUsd({ inputTokens: hit.inputTokens ?? 0, outputTokens: hit.outputTokens ?? 0 }, price);
  }
}
