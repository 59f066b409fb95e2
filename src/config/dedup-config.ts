import { DocketError } from "../domain/errors.js";

/**
 * Identical requests once (docs/dedup-and-cache.md): the config's `dedup` section. Whether a
 * job deduplicates is its own choice (`docket_dedup`) or its routes' (`routes[].dedup`); the
 * response cache is the operator's: on for every route (`cache.enabled`) or per route
 * (`routes[].cache`), bounded by a TTL, entries and bytes.
 */
export interface DedupConfig {
  /**
   * Distinct request bodies one job's validation remembers to find identical ones (about 100
   * bytes each); a body first seen beyond this many is sent as it is (default 200,000).
   */
  maxDistinctPerJob: number;
  cache: ResponseCacheConfig;
}

export interface ResponseCacheConfig {
  /** The cache for every route; a route's own `cache` wins (default false). */
  enabled: boolean;
  /** How long an answer is served after it was stored (default 7 days). */
  ttlMs: number;
  /** Entries kept at most; beyond, the least recently used go (default 100,000). */
  maxEntries: number;
  /** Answer bytes kept at most, all entries together (default 256 MiB). */
  maxBytes: number;
  /** A larger answer is not cached (default 1 MiB). */
  maxEntryBytes: number;
}

export const DEFAULT_DEDUP_CONFIG: DedupConfig = {
  maxDistinctPerJob: 200_000,
  cache: {
    enabled: false,
    ttlMs: 7 * 86_400_000,
    maxEntries: 100_000,
    maxBytes: 256 * 1024 * 1024,
    maxEntryBytes: 1024 * 1024,
  },
};

/** The settings in force: the defaults, overridden by the config's `dedup` section. */
export function dedupConfig(config: { dedup?: DedupConfig }): DedupConfig {
  return config.dedup ?? DEFAULT_DEDUP_CONFIG;
}

/** Checks the file's `dedup` section (known fields only, positive integers, booleans) over the defaults. */
export function parseDedupConfig(given: unknown): DedupConfig {
  const section = objectAt(given, "dedup");
  const out: DedupConfig = { ...DEFAULT_DEDUP_CONFIG, cache: { ...DEFAULT_DEDUP_CONFIG.cache } };
  for (const [key, value] of Object.entries(section)) {
    if (key === "maxDistinctPerJob") out.maxDistinctPerJob = positive(value, "dedup.maxDistinctPerJob");
    else if (key === "cache") {
      for (const [k, v] of Object.entries(objectAt(value, "dedup.cache"))) {
        const at = `dedup.cache.${k}`;
        if (k === "enabled") out.cache.enabled = flag(v, at);
        else if (k === "ttlMs" || k === "maxEntries" || k === "maxBytes" || k === "maxEntryBytes")
          out.cache[k] = positive(v, at);
        else throw unknown(at, "enabled, ttlMs, maxEntries, maxBytes, maxEntryBytes");
      }
    } else throw unknown(`dedup.${key}`, "maxDistinctPerJob, cache");
  }
  return out;
}

/** A route's `dedup` or `cache`: absent, or a boolean. */
export function routeDedupFlag(value: unknown, where: string): boolean | undefined {
  return value === undefined ? undefined : flag(value, where);
}

function objectAt(v: unknown, at: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new DocketError("invalid_config", `${at} must be an object.`);
  return v as Record<string, unknown>;
}

function positive(v: unknown, at: string): number {
  if (!Number.isSafeInteger(v) || (v as number) < 1)
    throw new DocketError("invalid_config", `${at} must be a positive integer (got ${JSON.stringify(v)}).`);
  return v as number;
}

function flag(v: unknown, at: string): boolean {
  if (typeof v !== "boolean")
    throw new DocketError("invalid_config", `${at} must be true or false (got ${JSON.stringify(v)}).`);
  return v;
}

function unknown(at: string, known: string): DocketError {
  return new DocketError("invalid_config", `${at} is not a known setting (known: ${known}).`);
}
