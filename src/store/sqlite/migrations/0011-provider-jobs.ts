/**
 * Issue 13 (provider batch APIs): provider jobs, the Docket jobs each one holds records of (and
 * the batch-priced usage it brought them), and which provider job a record was last sent in. A
 * record bound to a provider job is leased to `pj:<id>` with `provider_job_id` = that id: the
 * lease sweep and `expireAllLeases` leave such records alone (a provider may still run them).
 */
export const migration0011 = `
CREATE TABLE provider_jobs (
  id TEXT PRIMARY KEY,
  route TEXT NOT NULL,
  model TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  state TEXT NOT NULL,
  provider_job_id TEXT,
  records INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0,
  estimated_tokens INTEGER NOT NULL DEFAULT 0,
  ingested INTEGER NOT NULL DEFAULT 0,
  requeued INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  created_at INTEGER NOT NULL,
  submitted_at INTEGER,
  ended_at INTEGER,
  updated_at INTEGER NOT NULL
);
CREATE INDEX provider_jobs_open ON provider_jobs(route, created_at)
  WHERE state NOT IN ('done', 'failed', 'expired', 'cancelled');
CREATE TABLE provider_job_members (
  provider_job_id TEXT NOT NULL,
  job_id TEXT NOT NULL,
  records INTEGER NOT NULL DEFAULT 0,
  succeeded INTEGER NOT NULL DEFAULT 0,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (provider_job_id, job_id)
);
CREATE INDEX provider_job_members_job ON provider_job_members(job_id);
ALTER TABLE records ADD COLUMN provider_job_id TEXT;
CREATE INDEX records_provider_job ON records(provider_job_id, id) WHERE state = 'running';
`;
