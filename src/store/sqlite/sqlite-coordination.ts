import type { CoordinationStore } from "../coordination-store.js";
import type { SqliteDatabase } from "./sqlite-driver.js";

/** Rows silent this long are dropped by the next heartbeat of any worker. */
const FORGET_SILENT_WORKERS_MS = 3_600_000;

function prepareStatements(db: SqliteDatabase) {
  return {
    // The update's WHERE makes the upsert a compare-and-set: one atomic statement, one holder.
    tryLead: db.prepare<[string, string, number, number], { owner: string }>(
      `INSERT INTO leaders (name, owner, lease_until) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
         WHERE leaders.owner = excluded.owner OR leaders.lease_until < ?
       RETURNING owner`,
    ),
    resign: db.prepare<[string, string]>("DELETE FROM leaders WHERE name = ? AND owner = ?"),
    forgetSilent: db.prepare<[number]>("DELETE FROM workers WHERE heartbeat_at < ?"),
    heartbeat: db.prepare<[string, number, string]>(
      `INSERT INTO workers (owner, heartbeat_at, routes) VALUES (?, ?, ?)
       ON CONFLICT (owner) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, routes = excluded.routes`,
    ),
    live: db.prepare<[number], { n: number }>("SELECT count(*) AS n FROM workers WHERE heartbeat_at >= ?"),
    forget: db.prepare<[string]>("DELETE FROM workers WHERE owner = ?"),
  };
}

/**
 * Leader leases and the worker registry on SQLite (CoordinationStore), the same contract as
 * PostgreSQL's pg-coordination.ts. Embedded Docket is one process, so these stay trivial there,
 * but tools and tests see the same behaviour on both engines.
 */
export function sqliteCoordination(db: SqliteDatabase): CoordinationStore {
  const s = prepareStatements(db);
  const heartbeatTx = db.transaction((owner: string, routes: string, now: number) => {
    s.forgetSilent.run(now - FORGET_SILENT_WORKERS_MS);
    s.heartbeat.run(owner, now, routes);
  });
  return {
    async tryLead(name, owner, leaseMs, now) {
      return s.tryLead.all(name, owner, now + leaseMs, now).length > 0;
    },
    async resignLead(name, owner) {
      s.resign.run(name, owner);
    },
    async heartbeatWorker(owner, routes, now) {
      heartbeatTx(owner, routes.join(","), now);
    },
    async liveWorkers(now, staleMs) {
      return s.live.get(now - staleMs)?.n ?? 0;
    },
    async forgetWorker(owner) {
      s.forget.run(owner);
    },
  };
}
