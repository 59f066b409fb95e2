import type { ModelPricing } from "../budget/job-pricing.js";
import type { DedupConfig } from "../config/dedup-config.js";
import type { DedupStore } from "../store/store.js";
import type { Duty } from "./duty.js";

export const DEDUP_HAND_ON = "dedup-hand-on";

/** Leaders handed on per store transaction, and transactions per pass (the next pass goes on). */
const LEADERS_PER_TRANSACTION = 200;
const TRANSACTIONS_PER_PASS = 50;
/** The cache is trimmed after a pass that stored answers, and at least this often (expired entries). */
const TRIM_EVERY_MS = 60_000;
/** Entries deleted per trim at most: a trim stays one short transaction; the next goes on. */
const DELETES_PER_TRIM = 5_000;

/**
 * A leader duty (docs/dedup-and-cache.md): hands the answers of ended leaders on to their
 * followers and to the response cache, then keeps the cache within its bounds. Each hand-on is
 * one store transaction fenced by the followers' state, so a crash at any point repeats nothing:
 * the next pass (here or in the next leader) finds what is still due. `onHandedOn`: followers
 * ended, so their jobs may be finished (maintenance looks at once).
 */
export function dedupHandOnDuty(o: {
  store: DedupStore;
  config: DedupConfig;
  pricing: ModelPricing;
  intervalMs: number;
  onHandedOn: () => void;
}): Duty {
  const { cache } = o.config;
  let lastTrim = 0;
  return {
    name: DEDUP_HAND_ON,
    intervalMs: o.intervalMs,
    async pass(stopping) {
      let leaders = 0;
      let stored = 0;
      for (let i = 0; i < TRANSACTIONS_PER_PASS && !stopping.aborted; i++) {
        const done = await o.store.handOnAnswers({
          limit: LEADERS_PER_TRANSACTION,
          now: Date.now(),
          cacheTtlMs: cache.ttlMs,
          maxEntryBytes: cache.maxEntryBytes,
          priceOf: (model) => (model ? o.pricing(model) : null),
        });
        leaders += done.leaders;
        stored += done.cached;
        if (done.leaders < LEADERS_PER_TRANSACTION) break;
      }
      if (leaders > 0) o.onHandedOn();
      const now = Date.now();
      if (stored > 0 || now - lastTrim >= TRIM_EVERY_MS) {
        lastTrim = now;
        await o.store.trimCache(now, {
          maxEntries: cache.maxEntries,
          maxBytes: cache.maxBytes,
          maxDeletes: DELETES_PER_TRIM,
        });
      }
    },
  };
}
