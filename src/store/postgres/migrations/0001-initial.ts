/**
 * Files, jobs and records, with the same column names as the SQLite engine (src/store/rows.ts
 * maps both). Times are BIGINT epoch milliseconds passed in by the caller, never now().
 * Results live on the record row: one write per outcome, one ordered scan per output file.
 */
export const migration0001 = `
CREATE TABLE files (
  seq BIGSERIAL PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  filename TEXT NOT NULL,
  purpose TEXT NOT NULL,
  bytes BIGINT NOT NULL,
  blob_key TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT
);
-- The retention sweep reads only files that can expire.
CREATE INDEX files_expiry ON files(expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE jobs (
  seq BIGSERIAL PRIMARY KEY,
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
  input_tokens BIGINT NOT NULL DEFAULT 0,
  output_tokens BIGINT NOT NULL DEFAULT 0,
  validation_owner TEXT,
  validation_lease_until BIGINT,
  -- Several maintenance processes may run: the one holding this lease writes the output files.
  finalize_owner TEXT,
  finalize_lease_until BIGINT,
  created_at BIGINT NOT NULL,
  in_progress_at BIGINT,
  expires_at BIGINT NOT NULL,
  finalizing_at BIGINT,
  completed_at BIGINT,
  failed_at BIGINT,
  expired_at BIGINT,
  cancelling_at BIGINT,
  cancelled_at BIGINT
);
CREATE INDEX jobs_status ON jobs(status, seq);

CREATE TABLE records (
  id BIGSERIAL PRIMARY KEY,
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
  run_at BIGINT NOT NULL DEFAULT 0,
  lease_owner TEXT,
  lease_until BIGINT,
  response_status INTEGER,
  response_request_id TEXT,
  response_body TEXT,
  error_code TEXT,
  error_message TEXT,
  input_tokens BIGINT,
  output_tokens BIGINT,
  finished_at BIGINT
);
CREATE UNIQUE INDEX records_job_position ON records(job_id, position);
-- Claims walk one job's pending records of one route in input order; finished rows (the vast
-- majority of a large table) are not in the index at all.
CREATE INDEX records_claim ON records(job_id, route, id) WHERE state = 'pending';
-- The lease sweep and "is anything still running in this job" both stay off the big table.
CREATE INDEX records_running_lease ON records(lease_until) WHERE state = 'running';
CREATE INDEX records_running_job ON records(job_id) WHERE state = 'running';
`;
