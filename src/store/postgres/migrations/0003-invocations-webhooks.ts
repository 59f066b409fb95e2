/**
 * Async invocations and webhooks; the same tables as the SQLite migration 0003 (see there for
 * what each column is for). Rows of both tables go with their job through ON DELETE CASCADE.
 */
export const migration0003 = `
ALTER TABLE jobs ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN webhook_url TEXT;
ALTER TABLE jobs ADD COLUMN notified SMALLINT NOT NULL DEFAULT 0;
UPDATE jobs SET notified = 1 WHERE status IN ('completed', 'failed', 'expired', 'cancelled');
CREATE INDEX jobs_to_notify ON jobs(seq) WHERE notified = 0;

CREATE TABLE invocations (
  job_id TEXT PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
  inference_id TEXT NOT NULL UNIQUE,
  model TEXT NOT NULL,
  route TEXT NOT NULL,
  input_bytes BIGINT NOT NULL,
  ttl_until BIGINT NOT NULL,
  timeout_ms BIGINT NOT NULL,
  custom_attributes TEXT
);

CREATE TABLE webhook_deliveries (
  seq BIGSERIAL PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  event TEXT NOT NULL,
  url TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  delivered_at BIGINT,
  log TEXT NOT NULL DEFAULT '[]',
  created_at BIGINT NOT NULL,
  UNIQUE (job_id, event)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE state = 'pending';
`;
