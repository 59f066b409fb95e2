import { INVOCATION_COLUMNS, INVOCATION_PRIORITY } from "../invocation-rows.js";

/** Invocation jobs on PostgreSQL (migration 0003); each constant lists its parameters. */

const FROM = "FROM invocations i JOIN jobs j ON j.id = i.job_id LEFT JOIN records r ON r.job_id = i.job_id";

/** $1 job id. */
export const INVOCATION_BY_ID_SQL = `SELECT ${INVOCATION_COLUMNS} ${FROM} WHERE i.job_id = $1`;
/** $1 project id, $2 inference id. */
export const INVOCATION_BY_INFERENCE_ID_SQL = `SELECT ${INVOCATION_COLUMNS} ${FROM} WHERE i.project_id = $1 AND i.inference_id = $2`;

/**
 * $1 id, $2 marked endpoint, $3 input_file_id, $4 completion_window, $5 webhook_url,
 * $6 created_at (also in_progress_at), $7 expires_at, $8 project_id.
 */
export const INSERT_INVOCATION_JOB_SQL = `
INSERT INTO jobs (id, kind, status, priority, endpoint, input_file_id, completion_window, webhook_url, total,
  created_at, in_progress_at, expires_at, project_id)
VALUES ($1, 'invocation', 'in_progress', ${INVOCATION_PRIORITY}, $2, $3, $4, $5, 1, $6, $6, $7, $8)`;

/**
 * $1 job id, $2 inference_id, $3 model, $4 route, $5 input_bytes, $6 ttl_until, $7 timeout_ms,
 * $8 custom_attributes, $9 project_id. Returns the job id, or nothing when the inference id is taken
 * in the project (a concurrent insert of the same id waits on the unique index, then finds it taken).
 */
export const INSERT_INVOCATION_SQL = `
INSERT INTO invocations (job_id, inference_id, model, route, input_bytes, ttl_until, timeout_ms, custom_attributes, project_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (project_id, inference_id) DO NOTHING
RETURNING job_id`;

/** $1 job id, $2 custom_id (the inference id), $3 route, $4 body, $5 max_attempts. */
export const INSERT_INVOCATION_RECORD_SQL = `
INSERT INTO records (job_id, position, line, custom_id, route, body, max_attempts) VALUES ($1, 0, 1, $2, $3, $4, $5)`;

/**
 * EXPIRE_INVOCATIONS_SQL — $1 now, $2 error code, $3 error message. Returns the ids of the jobs
 * moved to finalizing. Driven from the in-progress jobs (few), never from finished invocations.
 * Records are locked before their job, as everywhere in this engine; a record a worker is
 * claiming right now is skipped, and the claim wins.
 */
export const EXPIRE_INVOCATIONS_SQL = `
WITH due AS (
  SELECT r.id AS record_id
  FROM jobs j JOIN invocations i ON i.job_id = j.id JOIN records r ON r.job_id = j.id
  WHERE j.status = 'in_progress' AND j.kind = 'invocation' AND i.ttl_until <= $1
    AND r.state = 'pending'
  FOR UPDATE OF r SKIP LOCKED
),
ended AS (
  UPDATE records r SET state = 'expired', error_code = $2, error_message = $3, finished_at = $1
  FROM due WHERE r.id = due.record_id AND r.state = 'pending'
  RETURNING r.job_id
),
moved AS (
  UPDATE jobs j SET expired = j.expired + 1, status = 'finalizing', end_status = 'expired', finalizing_at = $1
  WHERE j.id IN (SELECT job_id FROM ended) AND j.status = 'in_progress'
  RETURNING j.id, j.seq
)
SELECT id FROM moved ORDER BY seq`;
