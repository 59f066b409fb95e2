/**
 * Files, jobs and records. Results live on the record row (response + error columns): one
 * write per outcome, and output files are produced by one ordered scan per job.
 */
export const migration0001 = `
CREATE TABLE files (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  filename TEXT NOT NULL,
  purpose TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  blob_key TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER
);

CREATE TABLE jobs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL DEFAULT 'batch',
  status TEXT NOT NULL,
  end_status TEXT,
  endpoint TEXT NOT NULL,
  input_file_id TEXT NOT NULL,
  completion_window TEXT NOT NULL,
  metadata TEXT,
  output_file_id TEXT,
  error_file_id TEXT,
  errors TEXT,
  total INTEGER NOT NULL DEFAULT 0,
  succeeded INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  cancelled INTEGER NOT NULL DEFAULT 0,
  expired INTEGER NOT NULL DEFAULT 0,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  validation_owner TEXT,
  validation_lease_until INTEGER,
  created_at INTEGER NOT NULL,
  in_progress_at INTEGER,
  expires_at INTEGER NOT NULL,
  finalizing_at INTEGER,
  completed_at INTEGER,
  failed_at INTEGER,
  expired_at INTEGER,
  cancelling_at INTEGER,
  cancelled_at INTEGER
);
CREATE INDEX jobs_status ON jobs(status);

CREATE TABLE records (
  id INTEGER PRIMARY KEY,
  job_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  line INTEGER NOT NULL,
  custom_id TEXT NOT NULL,
  route TEXT NOT NULL,
  body TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  attempt INTEGER NOT NULL DEFAULT 0,
  released INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  run_at INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT,
  lease_until INTEGER,
  response_status INTEGER,
  response_request_id TEXT,
  response_body TEXT,
  error_code TEXT,
  error_message TEXT,
  input_tokens INTEGER,
  output_tokens INTEGER,
  finished_at INTEGER
);
CREATE UNIQUE INDEX records_job_position ON records(job_id, position);
-- Claims walk one job's pending records of one route in input order.
CREATE INDEX records_claim ON records(job_id, route, id) WHERE state = 'pending';
-- The lease sweep and "is anything still running in this job" both stay off the big table.
CREATE INDEX records_running_lease ON records(lease_until) WHERE state = 'running';
CREATE INDEX records_running_job ON records(job_id) WHERE state = 'running';
`;
