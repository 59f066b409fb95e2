/** Issue 14 (retry with lineage): as SQLite's 0012-lineage.ts, which explains the columns. */
export const migration0011 = `
ALTER TABLE jobs ADD COLUMN parent_job_id TEXT;
ALTER TABLE jobs ADD COLUMN pinned_route TEXT;
CREATE INDEX jobs_parent ON jobs(parent_job_id, seq) WHERE parent_job_id IS NOT NULL;
`;
