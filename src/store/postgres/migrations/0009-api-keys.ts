/**
 * Issue 15 (projects and API keys): projects, and keys stored as their SHA-256 only, found by
 * their public id (the part of the key before the dot). Every job (batches, Message Batches,
 * invocations) and file belongs to one project; what existed before is the `default` project's.
 */
export const migration0009 = `
CREATE TABLE projects (
  id TEXT PRIMARY KEY,
  created_at BIGINT NOT NULL
);
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id),
  role TEXT NOT NULL,
  label TEXT,
  hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX api_keys_project ON api_keys(project_id, created_at);
ALTER TABLE jobs ADD COLUMN project_id TEXT NOT NULL DEFAULT 'default';
ALTER TABLE files ADD COLUMN project_id TEXT NOT NULL DEFAULT 'default';
CREATE INDEX jobs_project ON jobs(project_id, seq);
CREATE INDEX files_project ON files(project_id, seq);
-- An inference id is an idempotency key within its project: another project reusing one gets its own invocation.
ALTER TABLE invocations ADD COLUMN project_id TEXT NOT NULL DEFAULT 'default';
UPDATE invocations i SET project_id = j.project_id FROM jobs j WHERE j.id = i.job_id;
ALTER TABLE invocations DROP CONSTRAINT invocations_inference_id_key;
CREATE UNIQUE INDEX invocations_project_inference ON invocations(project_id, inference_id);
`;
