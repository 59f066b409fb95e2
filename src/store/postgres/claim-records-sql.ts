/**
 * Claims up to $4 runnable records of one route, in one statement (one round trip, one commit).
 *
 * Parameters: $1 owner, $2 lease_until, $3 route, $4 limit, $5 now.
 * Returns: pass, seq (job order), priority, the job's endpoint and kind, and the claimed record's columns.
 * Jobs are taken by priority (invocations before batches, migration 0003), then in order.
 *
 * Same fairness as the SQLite engine: a first pass gives every in-progress job an equal slice
 * (limit ÷ active jobs, at least 1) in job order, then a second pass fills what is left in job
 * order, so a small job is never stuck behind a huge one. Both passes lock with
 * `FOR UPDATE SKIP LOCKED`, so concurrent workers take disjoint records without waiting. The
 * outer LIMIT over a nested loop of per-job index scans stops as soon as enough rows are locked:
 * nothing is locked that is not claimed. The fill pass runs in the same snapshot as the first,
 * so it excludes by id the rows the first pass just took.
 */
export const CLAIM_RECORDS_SQL = `
WITH active AS (
  SELECT id, seq, priority, endpoint, kind FROM jobs WHERE status = 'in_progress'
),
share AS (
  SELECT GREATEST(1, CEIL($4::numeric / GREATEST(1, (SELECT count(*) FROM active))))::int AS slice
),
first_pick AS (
  SELECT r.id, a.seq, a.priority, a.endpoint, a.kind
  FROM (SELECT * FROM active ORDER BY priority DESC, seq) a
  CROSS JOIN LATERAL (
    SELECT id FROM records
    WHERE job_id = a.id AND route = $3 AND state = 'pending' AND run_at <= $5
    ORDER BY id LIMIT (SELECT slice FROM share)
    FOR UPDATE SKIP LOCKED
  ) r
  LIMIT $4
),
first_claim AS (
  UPDATE records SET state = 'running', attempt = attempt + 1, lease_owner = $1, lease_until = $2
  FROM first_pick p WHERE records.id = p.id
  RETURNING 1 AS pass, p.seq, p.priority, p.endpoint, p.kind, records.id, records.job_id, records.custom_id, records.route,
    records.body, records.attempt, records.max_attempts
),
fill_pick AS (
  SELECT r.id, a.seq, a.priority, a.endpoint, a.kind
  FROM (SELECT * FROM active ORDER BY priority DESC, seq) a
  CROSS JOIN LATERAL (
    SELECT id FROM records
    WHERE job_id = a.id AND route = $3 AND state = 'pending' AND run_at <= $5
      AND id NOT IN (SELECT id FROM first_claim)
    ORDER BY id LIMIT $4
    FOR UPDATE SKIP LOCKED
  ) r
  LIMIT (SELECT $4 - count(*) FROM first_claim)
),
fill_claim AS (
  UPDATE records SET state = 'running', attempt = attempt + 1, lease_owner = $1, lease_until = $2
  FROM fill_pick p WHERE records.id = p.id
  RETURNING 2 AS pass, p.seq, p.priority, p.endpoint, p.kind, records.id, records.job_id, records.custom_id, records.route,
    records.body, records.attempt, records.max_attempts
)
SELECT * FROM first_claim
UNION ALL
SELECT * FROM fill_claim
ORDER BY pass, priority DESC, seq, id
`;

export interface ClaimRow {
  id: number;
  job_id: string;
  endpoint: string;
  kind: string;
  custom_id: string;
  route: string;
  body: string;
  attempt: number;
  max_attempts: number;
}
