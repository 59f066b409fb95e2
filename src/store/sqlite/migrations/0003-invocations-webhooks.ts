/**
 * Async invocations and webhooks (docs/async-and-events.md).
 * - jobs.priority: claims serve higher priorities first (invocations 10, batches 0).
 * - jobs.webhook_url: the job's own end-event target.
 * - jobs.notified: 0 until the job's end event has been considered (a delivery row written, or
 *   none due). Jobs that had already ended before this migration are marked done.
 * - invocations: what an invocation job carries besides its one record (the payload itself
 *   is in the blob store, never here).
 * - webhook_deliveries: one row per (job, event), sent and retried by the delivery loop.
 * Rows of both tables go with their job (trigger; SQLite leaves foreign keys off).
 */
export const migration0003 = `
ALTER TABLE jobs ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN webhook_url TEXT;
ALTER TABLE jobs ADD COLUMN notified INTEGER NOT NULL DEFAULT 0;
UPDATE jobs SET notified = 1 WHERE status IN ('completed', 'failed', 'expired', 'cancelled');
CREATE INDEX jobs_to_notify ON jobs(seq) WHERE notified = 0;

CREATE TABLE invocations (
  job_id TEXT PRIMARY KEY,
  inference_id TEXT NOT NULL UNIQUE,
  model TEXT NOT NULL,
  route TEXT NOT NULL,
  input_bytes INTEGER NOT NULL,
  ttl_until INTEGER NOT NULL,
  timeout_ms INTEGER NOT NULL,
  custom_attributes TEXT
);

CREATE TABLE webhook_deliveries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  job_id TEXT NOT NULL,
  event TEXT NOT NULL,
  url TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  delivered_at INTEGER,
  log TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL,
  UNIQUE (job_id, event)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE state = 'pending';

CREATE TRIGGER jobs_delete_invocation_rows AFTER DELETE ON jobs BEGIN
  DELETE FROM invocations WHERE job_id = OLD.id;
  DELETE FROM webhook_deliveries WHERE job_id = OLD.id;
END;
`;
