/**
 * Issue 15 (projects and API keys): projects, and keys stored as their SHA-256 only, found by
 * their public id (the part of the key before the dot). Every job (batches, Message Batches,
 * invocations) and file belongs to one project; what existed before is the `default` project's.
 */
export const migration0010 = `
CREATE TABLE projects (
  id TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL
);
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id),
  role TEXT NOT NULL,
  label TEXT,
  hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX api_keys_project ON api_keys(project_id, created_at);
ALTER TABLE jobs ADD COLUMN project_id TEXT NOT NULL DEFAULT 'default';
ALTER TABLE files ADD COLUMN project_id TEXT NOT NULL DEFAULT 'default';
CREATE INDEX jobs_project ON jobs(project_id, seq);
CREATE INDEX files_project ON files(project_id, seq);

-- An inference id is an idempotency key within its project: another project reusing one gets its
-- own invocation. SQLite cannot drop a column's UNIQUE, so the table is rebuilt (its trigger too).
DROP TRIGGER jobs_delete_invocation_rows;
CREATE TABLE invocations_by_project (
  job_id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL DEFAULT 'default',
  inference_id TEXT NOT NULL,
  model TEXT NOT NULL,
  route TEXT NOT NULL,
  input_bytes INTEGER NOT NULL,
  ttl_until INTEGER NOT NULL,
  timeout_ms INTEGER NOT NULL,
  custom_attributes TEXT,
  UNIQUE (project_id, inference_id)
);
INSERT INTO invocations_by_project
  (job_id, project_id, inference_id, model, route, input_bytes, ttl_until, timeout_ms, custom_attributes)
SELECT i.job_id, COALESCE((SELECT j.project_id FROM jobs j WHERE j.id = i.job_id), 'default'),
  i.inference_id, i.model, i.route, i.input_bytes, i.ttl_until, i.timeout_ms, i.custom_attributes
FROM invocations i;
DROP TABLE invocations;
ALTER TABLE invocations_by_project RENAME TO invocations;
CREATE TRIGGER jobs_delete_invocation_rows AFTER DELETE ON jobs BEGIN
  DELETE FROM invocations WHERE job_id = OLD.id;
  DELETE FROM webhook_deliveries WHERE job_id = OLD.id;
END;
`;
