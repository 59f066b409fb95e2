/**
 * Coordination between processes sharing one database: `leaders` holds one row per duty (e.g.
 * maintenance) with the process that performs it until `lease_until`; `workers` lists worker
 * processes by their last heartbeat, so each can take its share of a route's rate limits.
 */
export const migration0002 = `
CREATE TABLE leaders (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  lease_until BIGINT NOT NULL
);
CREATE TABLE workers (
  owner TEXT PRIMARY KEY,
  heartbeat_at BIGINT NOT NULL,
  routes TEXT NOT NULL
);
CREATE INDEX workers_heartbeat ON workers(heartbeat_at);
`;
