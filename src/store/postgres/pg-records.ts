import type pg from "pg";
import type { RecordStore } from "../record-store.js";
import { jobKindOf } from "../rows.js";
import { CLAIM_RECORDS_SQL, type ClaimRow, claimWeightParams } from "./claim-records-sql.js";
import { LOCK_RELEASED_JOBS_SQL, RELEASE_RECORDS_SQL, RENEW_LEASES_SQL } from "./lease-sql.js";
import { query, transaction } from "./pg-connection.js";
import { RECORD_RESULTS_SQL, recordResultsParams, refusedIds } from "./record-results-sql.js";

/**
 * Records on PostgreSQL (RecordStore). Each hot operation is one statement with arrays bound
 * through unnest: one round trip and one commit per batch.
 */
export function pgRecords(pool: pg.Pool): RecordStore {
  return {
    async claimRecords(req) {
      const routes = req.routes.filter((r) => r.limit > 0);
      if (routes.length === 0) return [];
      const leaseUntil = req.now + req.leaseMs;
      const weights = claimWeightParams(req.projectWeights);
      const claimRoute = (
        run: (text: string, values: unknown[]) => Promise<ClaimRow[]>,
        route: string,
        limit: number,
        skipProjects: string[] = [],
      ) => run(CLAIM_RECORDS_SQL, [req.owner, leaseUntil, route, limit, req.now, ...weights, skipProjects]);
      let rows: ClaimRow[];
      if (routes.length === 1) {
        // One statement commits on its own: no BEGIN/COMMIT round trips on the hot path.
        rows = await claimRoute(
          (text, values) => query<ClaimRow>(pool, text, values),
          routes[0]!.route,
          routes[0]!.limit,
          routes[0]!.skipProjects,
        );
      } else {
        rows = await transaction(pool, async (c) => {
          const out: ClaimRow[] = [];
          for (const { route, limit, skipProjects } of routes) {
            out.push(
              ...(await claimRoute(
                async (text, values) => (await c.query<ClaimRow>(text, values)).rows,
                route,
                limit,
                skipProjects,
              )),
            );
          }
          return out;
        });
      }
      return rows.map((r) => ({
        id: r.id,
        jobId: r.job_id,
        projectId: r.project_id,
        customId: r.custom_id,
        route: r.route,
        kind: jobKindOf(r.kind),
        endpoint: r.endpoint,
        body: r.body,
        attempt: r.attempt,
        maxAttempts: r.max_attempts,
      }));
    },

    async renewLeases(owner, held, leaseUntil) {
      if (held.length === 0) return [];
      const kept = await query<{ id: number }>(pool, RENEW_LEASES_SQL, [
        held.map((h) => h.id),
        held.map((h) => h.attempt),
        leaseUntil,
        owner,
      ]);
      const stillHeld = new Set(kept.map((r) => r.id));
      return held.filter((h) => !stillHeld.has(h.id)).map((h) => h.id);
    },

    async recordResults(results, now) {
      if (results.length === 0) return { accepted: 0, refused: [] };
      const written = await query<{ id: number }>(
        pool,
        RECORD_RESULTS_SQL,
        recordResultsParams(results, now),
      );
      const refused = refusedIds(results, written);
      return { accepted: results.length - refused.length, refused };
    },

    async releaseRecords(owner, held, now, stopError) {
      if (held.length === 0) return;
      const ids = held.map((h) => h.id);
      await transaction(pool, async (c) => {
        // Job rows first (as cancelJob locks them), so a cancel committing meanwhile is seen:
        // a record given back to pending in a cancelling job would never be claimed again.
        await c.query(LOCK_RELEASED_JOBS_SQL, [ids]);
        await c.query(RELEASE_RECORDS_SQL, [
          ids,
          held.map((h) => h.attempt),
          now,
          owner,
          stopError?.code ?? null,
          stopError?.message ?? null,
        ]);
      });
    },

    async nextRunAt(routes) {
      if (routes.length === 0) return null;
      const [row] = await query<{ at: number | null }>(
        pool,
        `SELECT MIN(run_at) AS at FROM (
         SELECT run_at FROM records WHERE state = 'pending' AND route = ANY($1::text[]) LIMIT 1000) s`,
        [routes],
      );
      return row?.at ?? null;
    },
  };
}
