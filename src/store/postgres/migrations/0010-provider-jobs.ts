/** Issue 13 (provider batch APIs): as SQLite's 0011-provider-jobs.ts, which explains the columns. */
export const migration0010 = `
CREATE TABLE provider_jobs (
  id TEXT PRIMARY KEY,
  route TEXT NOT NULL,
  model TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  state TEXT NOT NULL,
  provider_job_id TEXT,
  records INTEGER NOT NULL DEFAULT 0,
  bytes BIGINT NOT NULL DEFAULT 0,
  estimated_tokens BIGINT NOT NULL DEFAULT 0,
  ingested INTEGER NOT NULL DEFAULT 0,
  requeued INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  created_at BIGINT NOT NULL,
  submitted_at BIGINT,
  ended_at BIGINT,
  updated_at BIGINT NOT NULL
);
CREATE INDEX provider_jobs_open ON provider_jobs(route, created_at)
  WHERE state NOT IN ('done', 'failed', 'expired', 'cancelled');
CREATE TABLE provider_job_members (
  provider_job_id TEXT NOT NULL,
  job_id TEXT NOT NULL,
  records INTEGER NOT NULL DEFAULT 0,
  succeeded INTEGER NOT NULL DEFAULT 0,
  input_tokens BIGINT NOT NULL DEFAULT 0,
  output_tokens BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (provider_job_id, job_id)
);
CREATE INDEX provider_job_members_job ON provider_job_members(job_id);
ALTER TABLE records ADD COLUMN provider_job_id TEXT;
CREATE INDEX records_provider_job ON records(provider_job_id, id) WHERE state = 'running';
`;
