import { EXPIRABLE_JOB_STATUSES } from "../../domain/job-transitions.js";
import { OPEN_RECORD_STATES } from "../../domain/record-transitions.js";
import { sqlList } from "../sql-list.js";

/**
 * Job-level transitions run by maintenance: expiry, claiming finalization, completing it.
 * Each is one statement, so it is atomic without an explicit transaction.
 */

/**
 * EXPIRE_JOBS_SQL — $1 now. Returns the ids of the jobs moved to finalizing, oldest first.
 *
 * Records are expired (and locked) before their job row, the lock order every statement in
 * this engine keeps. `due` takes no lock: if two sweeps race, the second finds the records
 * already expired and the job already moved, and returns nothing for it.
 */
export const EXPIRE_JOBS_SQL = `
WITH due AS (
  SELECT id FROM jobs WHERE expires_at <= $1 AND status IN (${sqlList(EXPIRABLE_JOB_STATUSES)})
),
ended AS (
  UPDATE records SET state = 'expired', error_code = 'batch_expired',
    error_message = 'This request could not be executed before the completion window expired.',
    finished_at = $1, lease_owner = NULL, lease_until = NULL
  WHERE job_id IN (SELECT id FROM due) AND state IN (${sqlList(OPEN_RECORD_STATES)})
  RETURNING job_id
),
moved AS (
  UPDATE jobs j SET status = 'finalizing', end_status = 'expired', finalizing_at = $1,
    validation_lease_until = NULL, expired = j.expired + c.n
  FROM (
    SELECT d.id, count(e.job_id) AS n FROM due d LEFT JOIN ended e ON e.job_id = d.id GROUP BY d.id ORDER BY d.id
  ) c
  WHERE j.id = c.id AND j.status IN (${sqlList(EXPIRABLE_JOB_STATUSES)})
  RETURNING j.id, j.seq
)
SELECT id FROM moved ORDER BY seq
`;

/**
 * CLAIM_FINALIZABLE_SQL — $1 now, $2 owner (this store instance), $3 lease_until.
 * Returns id, end_status, oldest first.
 *
 * Moves finished in-progress jobs and drained cancelling jobs to finalizing, and hands back
 * every finalizing job that is this owner's or whose finalize lease is free. The lease is what
 * makes two maintenance processes safe: only one of them writes a job's output files at a time,
 * while the same process gets its jobs again on every call (crash-safe retries), and another
 * process takes over once the lease of a dead one runs out. Job rows locked by an in-flight
 * acknowledgement are skipped, not waited for: the next sweep sees them.
 * The three updates touch disjoint rows (each selects on the status in the statement's snapshot).
 * A drained job has no open record, followers included (they end once their leader's answer is
 * handed on, docs/dedup-and-cache.md); each open state is its own probe of its partial index.
 */
export const CLAIM_FINALIZABLE_SQL = `
WITH done AS (
  UPDATE jobs SET status = 'finalizing', end_status = 'completed', finalizing_at = $1,
    finalize_owner = $2, finalize_lease_until = $3
  WHERE id IN (
    SELECT id FROM jobs
    WHERE status = 'in_progress' AND succeeded + failed + cancelled + expired >= total
    FOR UPDATE SKIP LOCKED
  )
  RETURNING seq, id, end_status
),
drained AS (
  UPDATE jobs SET status = 'finalizing', finalizing_at = $1, finalize_owner = $2, finalize_lease_until = $3
  WHERE id IN (
    SELECT id FROM jobs j
    WHERE status = 'cancelling'
      AND NOT EXISTS (SELECT 1 FROM records r WHERE r.job_id = j.id AND r.state = 'pending')
      AND NOT EXISTS (SELECT 1 FROM records r WHERE r.job_id = j.id AND r.state = 'running')
      AND NOT EXISTS (SELECT 1 FROM records r WHERE r.job_id = j.id AND r.state = 'following')
      AND (validation_lease_until IS NULL OR validation_lease_until < $1)
    FOR UPDATE SKIP LOCKED
  )
  RETURNING seq, id, end_status
),
resumed AS (
  UPDATE jobs SET finalize_owner = $2, finalize_lease_until = $3
  WHERE id IN (
    SELECT id FROM jobs
    WHERE status = 'finalizing'
      AND (finalize_owner = $2 OR finalize_lease_until IS NULL OR finalize_lease_until < $1)
    FOR UPDATE SKIP LOCKED
  )
  RETURNING seq, id, end_status
)
SELECT id, end_status FROM (
  SELECT * FROM done UNION ALL SELECT * FROM drained UNION ALL SELECT * FROM resumed
) f
ORDER BY seq
`;

/**
 * COMPLETE_FINALIZE_SQL — $1 job id, $2 status, $3 now, $4 output_file_id, $5 error_file_id, then
 * the files to insert as parallel arrays: $6 ids, $7 filenames, $8 purposes, $9 bytes,
 * $10 blob_keys, $11 created_at, $12 expires_at. `endColumn` is the end status's timestamp column.
 *
 * The files are inserted only if the job was still finalizing, so a process that lost the race
 * to finalize leaves no file rows behind. They belong to the job's project.
 */
export const completeFinalizeSql = (endColumn: string) => `
WITH moved AS (
  UPDATE jobs SET status = $2, ${endColumn} = $3, output_file_id = $4, error_file_id = $5,
    finalize_owner = NULL, finalize_lease_until = NULL
  WHERE id = $1 AND status = 'finalizing'
  RETURNING id
),
added AS (
  INSERT INTO files (id, filename, purpose, bytes, blob_key, created_at, expires_at, project_id)
  SELECT u.*, (SELECT project_id FROM jobs WHERE id = $1)
  FROM unnest($6::text[], $7::text[], $8::text[], $9::bigint[], $10::text[], $11::bigint[], $12::bigint[]) u
  WHERE EXISTS (SELECT 1 FROM moved)
)
SELECT count(*) AS moved FROM moved
`;
