/**
 * Issue 14 (retry with lineage, docs/lineage.md): a batch made by `POST /v1/batches/{id}/retry`
 * names the batch it retries (`parent_job_id`), so a lineage is a tree rooted at the first batch;
 * the index lists a batch's children. `pinned_route`: the route a retry asked for, which
 * validation gives every record of the child instead of the one its model resolves to (null:
 * by model, as for any batch).
 */
export const migration0012 = `
ALTER TABLE jobs ADD COLUMN parent_job_id TEXT;
ALTER TABLE jobs ADD COLUMN pinned_route TEXT;
CREATE INDEX jobs_parent ON jobs(parent_job_id, seq) WHERE parent_job_id IS NOT NULL;
`;
