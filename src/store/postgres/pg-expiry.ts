import type pg from "pg";
import type { ExpiryStore } from "../expiry-store.js";
import { NOT_PROVIDER_HELD_SQL } from "../provider-job-rows.js";
import { EXPIRE_JOBS_SQL } from "./job-lifecycle-sql.js";
import { ATTEMPTS_EXHAUSTED_FORMAT, REQUEUE_EXPIRED_SQL } from "./lease-sql.js";
import { query, transaction } from "./pg-connection.js";

/** Lapsed leases and expired jobs on PostgreSQL (ExpiryStore); each sweep is one statement. */
export function pgExpiry(pool: pg.Pool): ExpiryStore {
  return {
    async requeueExpiredLeases(now) {
      const [row] = await query<{ touched: number }>(pool, REQUEUE_EXPIRED_SQL, [
        now,
        ATTEMPTS_EXHAUSTED_FORMAT,
      ]);
      return row?.touched ?? 0;
    },

    async expireAllLeases(now) {
      await transaction(pool, async (c) => {
        // Records a provider job holds stay held: the provider may still run them (provider-job-store.ts).
        await c.query(
          `UPDATE records r SET lease_until = $1 WHERE state = 'running' AND ${NOT_PROVIDER_HELD_SQL}`,
          [now - 1],
        );
        await c.query(
          "UPDATE jobs SET validation_lease_until = $1 WHERE validation_lease_until IS NOT NULL",
          [now - 1],
        );
      });
    },

    async expireJobs(now) {
      return (await query<{ id: string }>(pool, EXPIRE_JOBS_SQL, [now])).map((r) => r.id);
    },
  };
}
