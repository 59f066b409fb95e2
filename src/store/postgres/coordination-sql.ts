/**
 * Leader leases and the worker registry, each one statement (an upsert is atomic in
 * PostgreSQL: two processes racing for a free lead both run it, exactly one gets a row back).
 *
 * TRY_LEAD_SQL — $1 name, $2 owner, $3 now, $4 lease ms. Returns a row iff $2 now leads.
 */
export const TRY_LEAD_SQL = `
INSERT INTO leaders (name, owner, lease_until) VALUES ($1, $2, $3::bigint + $4::bigint)
ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until
  WHERE leaders.owner = EXCLUDED.owner OR leaders.lease_until < $3::bigint
RETURNING owner
`;

/** RESIGN_LEAD_SQL — $1 name, $2 owner. */
export const RESIGN_LEAD_SQL = "DELETE FROM leaders WHERE name = $1 AND owner = $2";

/** Rows silent this long are dropped by the next heartbeat of any worker. */
export const FORGET_SILENT_WORKERS_MS = 3_600_000;

/**
 * HEARTBEAT_WORKER_SQL — $1 owner, $2 now, $3 routes (comma-separated), $4 forget-before.
 * The delete rides along in the same statement: no extra round trip, table stays small.
 */
export const HEARTBEAT_WORKER_SQL = `
WITH forgotten AS (DELETE FROM workers WHERE heartbeat_at < $4::bigint)
INSERT INTO workers (owner, heartbeat_at, routes) VALUES ($1, $2, $3)
ON CONFLICT (owner) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at, routes = EXCLUDED.routes
`;

/** LIVE_WORKERS_SQL — $1 oldest heartbeat still counted. Returns one row: n. */
export const LIVE_WORKERS_SQL = "SELECT count(*)::int AS n FROM workers WHERE heartbeat_at >= $1";

/** FORGET_WORKER_SQL — $1 owner. */
export const FORGET_WORKER_SQL = "DELETE FROM workers WHERE owner = $1";
