/**
 * Lease upkeep, each a single batched statement.
 *
 * RENEW_LEASES_SQL — $1 ids bigint[], $2 attempts int[], $3 lease_until, $4 owner.
 * Returns the ids still held; the caller reports the others as lost.
 */
export const RENEW_LEASES_SQL = `
UPDATE records r SET lease_until = $3
FROM unnest($1::bigint[], $2::int[]) AS h(id, attempt)
WHERE r.id = h.id AND r.attempt = h.attempt AND r.state = 'running' AND r.lease_owner = $4
RETURNING r.id
`;

/**
 * RELEASE_RECORDS_SQL — $1 ids bigint[], $2 attempts int[], $3 now, $4 owner, $5 stop error code,
 * $6 stop error message. `released` is counted so the attempt does not use up the record's
 * budget. A record whose job is `cancelling` ends `cancelled` instead (with the stop's error),
 * counted on its job. Run after LOCK_RELEASED_JOBS_SQL in the same transaction.
 */
export const RELEASE_RECORDS_SQL = `
WITH moved AS (
  UPDATE records r SET
    state = CASE WHEN j.status = 'cancelling' THEN 'cancelled' ELSE 'pending' END,
    released = CASE WHEN j.status = 'cancelling' THEN r.released ELSE r.released + 1 END,
    run_at = CASE WHEN j.status = 'cancelling' THEN r.run_at ELSE $3 END,
    error_code = CASE WHEN j.status = 'cancelling' THEN $5 ELSE r.error_code END,
    error_message = CASE WHEN j.status = 'cancelling' THEN $6 ELSE r.error_message END,
    finished_at = CASE WHEN j.status = 'cancelling' THEN $3 ELSE r.finished_at END,
    lease_owner = NULL,
    lease_until = NULL
  FROM unnest($1::bigint[], $2::int[]) AS h(id, attempt), jobs j
  WHERE r.id = h.id AND r.attempt = h.attempt AND r.state = 'running' AND r.lease_owner = $4
    AND j.id = r.job_id
  RETURNING r.job_id, r.state
)
UPDATE jobs j SET cancelled = j.cancelled + d.n
FROM (SELECT job_id, count(*) AS n FROM moved WHERE state = 'cancelled' GROUP BY job_id ORDER BY job_id) d
WHERE j.id = d.job_id
`;

/**
 * LOCK_RELEASED_JOBS_SQL — $1 record ids bigint[]: locks their jobs, in id order, the way an
 * update would (so two releases of one job queue up rather than deadlock on the count).
 */
export const LOCK_RELEASED_JOBS_SQL = `
SELECT id FROM jobs WHERE id IN (SELECT job_id FROM records WHERE id = ANY($1::bigint[]))
ORDER BY id FOR NO KEY UPDATE
`;

/**
 * REQUEUE_EXPIRED_SQL — $1 now, $2 attempts-exhausted message.
 * Returns one row: touched (how many records).
 *
 * Up to 5000 records whose lease ran out go back to pending, or fail once their attempts are
 * used, or become cancelled if their job is cancelling; failed/cancelled counts go onto the job
 * in the same statement. SKIP LOCKED lets several maintenance processes sweep side by side.
 */
export const REQUEUE_EXPIRED_SQL = `
WITH lapsed AS (
  SELECT r.id,
    CASE WHEN j.status = 'cancelling' THEN 'cancelled'
         WHEN r.attempt - r.released >= r.max_attempts THEN 'failed'
         ELSE 'pending' END AS next
  FROM records r JOIN jobs j ON j.id = r.job_id
  WHERE r.state = 'running' AND r.lease_until < $1
    -- A record a provider job holds is never swept (its lease never lapses either).
    AND (r.provider_job_id IS NULL OR r.lease_owner <> 'pj:' || r.provider_job_id)
  ORDER BY r.lease_until
  LIMIT 5000
  FOR UPDATE OF r SKIP LOCKED
),
moved AS (
  UPDATE records r SET
    state = l.next,
    run_at = CASE WHEN l.next = 'pending' THEN $1 ELSE r.run_at END,
    error_code = CASE l.next WHEN 'cancelled' THEN 'cancelled' WHEN 'failed' THEN 'attempts_exhausted'
                 ELSE r.error_code END,
    error_message = CASE l.next WHEN 'cancelled' THEN 'The batch was cancelled.'
                    WHEN 'failed' THEN format($2, r.max_attempts) ELSE r.error_message END,
    finished_at = CASE WHEN l.next = 'pending' THEN r.finished_at ELSE $1 END,
    lease_owner = NULL,
    lease_until = NULL
  FROM lapsed l
  WHERE r.id = l.id
  RETURNING r.job_id, r.state
),
counted AS (
  UPDATE jobs j SET failed = j.failed + d.failed, cancelled = j.cancelled + d.cancelled
  FROM (
    SELECT job_id,
      count(*) FILTER (WHERE state = 'failed') AS failed,
      count(*) FILTER (WHERE state = 'cancelled') AS cancelled
    FROM moved
    GROUP BY job_id
    HAVING count(*) FILTER (WHERE state <> 'pending') > 0
    ORDER BY job_id
  ) d
  WHERE j.id = d.job_id
)
SELECT count(*) AS touched FROM moved
`;

export const ATTEMPTS_EXHAUSTED_FORMAT =
  "The request was attempted %s times and its worker stopped answering each time.";
