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
 * Leader leases and the worker registry on SQLite, the same contract as PostgreSQL's
 * coordination-sql.ts. Embedded Docket is one process, so these stay trivial there, but tools
 * and tests see the same behaviour on both engines.
 */
export class SqliteCoordination {
  private readonly s: ReturnType<typeof prepareStatements>;
  private readonly heartbeatTx: (owner: string, routes: string, now: number) => void;

  constructor(db: SqliteDatabase) {
    this.s = prepareStatements(db);
    this.heartbeatTx = db.transaction((owner: string, routes: string, now: number) => {
      this.s.forgetSilent.run(now - FORGET_SILENT_WORKERS_MS);
      this.s.heartbeat.run(owner, now, routes);
    });
  }

  tryLead(name: string, owner: string, leaseMs: number, now: number): boolean {
    return this.s.tryLead.all(name, owner, now + leaseMs, now).length > 0;
  }

  resignLead(name: string, owner: string): void {
    this.s.resign.run(name, owner);
  }

  heartbeatWorker(owner: string, routes: string[], now: number): void {
    this.heartbeatTx(owner, routes.join(","), now);
  }

  liveWorkers(now: number, staleMs: number): number {
    return this.s.live.get(now - staleMs)?.n ?? 0;
  }

  forgetWorker(owner: string): void {
    this.s.forget.run(owner);
  }
}
