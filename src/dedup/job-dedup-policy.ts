import type { ModelPricing } from "../budget/job-pricing.js";
import type { DedupConfig } from "../config/dedup-config.js";
import type { Job } from "../domain/job.js";
import type { RouteTable } from "../routing/route-table.js";
import type { JobDedupPolicy } from "./job-dedup-planner.js";

/** What the process knows that decides every job's dedup and cache. */
export interface DedupSettings {
  config: DedupConfig;
  routes: RouteTable;
  pricing: ModelPricing;
}

/**
 * A job's dedup and cache per route (docs/dedup-and-cache.md): dedup is the job's own choice
 * (`docket_dedup`), else its route's `dedup` (default off); the cache is the route's `cache`,
 * else the config's `dedup.cache.enabled`, unless the job turned it off (`docket_cache: false`:
 * a job cannot turn on a cache the operator did not). Null when neither applies on any route,
 * so validation of such a job does no dedup work at all.
 */
export function jobDedupPolicy(job: Job, s: DedupSettings): JobDedupPolicy | null {
  const asked = job.dedup ?? { dedup: null, cache: null };
  const dedupFor = (route: string) => asked.dedup ?? s.routes.byName(route)?.dedup ?? false;
  const cacheFor = (route: string) =>
    asked.cache === false ? false : (s.routes.byName(route)?.cache ?? s.config.cache.enabled);
  const names = s.routes.routes.map((r) => r.name);
  if (!names.some((n) => dedupFor(n) || cacheFor(n))) return null;
  const dedup = new Map(names.map((n) => [n, dedupFor(n)]));
  const cache = new Map(names.map((n) => [n, cacheFor(n)]));
  return {
    projectId: job.projectId,
    endpoint: job.endpoint,
    dedupFor: (route) => dedup.get(route) ?? false,
    cacheFor: (route) => cache.get(route) ?? false,
    maxDistinct: s.config.maxDistinctPerJob,
    priceOf: (model) => (model ? s.pricing(model) : null),
  };
}
