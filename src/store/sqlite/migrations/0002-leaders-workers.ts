/**
 * Coordination tables (see the PostgreSQL migration 0002): on SQLite one process owns the
 * file, so these mostly stay trivial, but the contract is the same on both engines.
 */
export const migration0002 = `
CREATE TABLE leaders (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  lease_until INTEGER NOT NULL
);
CREATE TABLE workers (
  owner TEXT PRIMARY KEY,
  heartbeat_at INTEGER NOT NULL,
  routes TEXT NOT NULL
);
CREATE INDEX workers_heartbeat ON workers(heartbeat_at);
`;
