import type pg from "pg";
import type { CoordinationStore } from "../coordination-store.js";
import {
  FORGET_SILENT_WORKERS_MS,
  FORGET_WORKER_SQL,
  HEARTBEAT_WORKER_SQL,
  LIVE_WORKERS_SQL,
  RESIGN_LEAD_SQL,
  TRY_LEAD_SQL,
} from "./coordination-sql.js";
import { query } from "./pg-connection.js";

/** Leader leases and the worker registry on PostgreSQL (CoordinationStore). */
export function pgCoordination(pool: pg.Pool): CoordinationStore {
  return {
    async tryLead(name, owner, leaseMs, now) {
      return (await query(pool, TRY_LEAD_SQL, [name, owner, now, leaseMs])).length > 0;
    },
    async resignLead(name, owner) {
      await query(pool, RESIGN_LEAD_SQL, [name, owner]);
    },
    async heartbeatWorker(owner, routes, now) {
      await query(pool, HEARTBEAT_WORKER_SQL, [owner, now, routes.join(","), now - FORGET_SILENT_WORKERS_MS]);
    },
    async liveWorkers(now, staleMs) {
      const [row] = await query<{ n: number }>(pool, LIVE_WORKERS_SQL, [now - staleMs]);
      return row?.n ?? 0;
    },
    async forgetWorker(owner) {
      await query(pool, FORGET_WORKER_SQL, [owner]);
    },
  };
}
