/**
 * Issue 16 (dashboard): what the job page reads without scanning a big job's records.
 * - records.latency_ms: how long the finished attempt's backend call took (null for records
 *   finished before this, and for records that never ran: cancelled, expired).
 * - records_finished: a job's finished records by time, for its throughput chart and the
 *   latency of its most recent records (covering: no row is read); partial, so pending records
 *   cost nothing.
 * - records_failed_code: a job's failed records by error code, for the grouped errors.
 * - jobs_model / jobs_format: the jobs list's filters, newest first.
 */
export const migration0009 = `
ALTER TABLE records ADD COLUMN latency_ms INTEGER;
CREATE INDEX records_finished ON records(job_id, finished_at, state, latency_ms) WHERE finished_at IS NOT NULL;
CREATE INDEX records_failed_code ON records(job_id, error_code, id) WHERE state = 'failed';
CREATE INDEX jobs_model ON jobs(model, seq);
CREATE INDEX jobs_format ON jobs(format, seq);
`;
