import type { ProjectWeights } from "../../config/projects-config.js";

/**
 * Claims up to $4 runnable records of one route, in one statement (one round trip, one commit).
 *
 * Parameters: $1 owner, $2 lease_until, $3 route, $4 limit, $5 now, $6 project ids and $7 their
 * weights (text[], float8[]), $8 the weight of every other project, $9 the projects skipped on
 * this route (text[]: their own limit on it is reached; their records stay pending).
 * Returns: pass, seq (job order), priority, the job's endpoint, kind and project, and the claimed record's columns.
 * Jobs are taken by priority (invocations before batches, migration 0003), then in order.
 *
 * Same fairness as the SQLite engine (store/fair-shares.ts): a first pass gives every project
 * with an in-progress job a slice of the limit by weight (at least 1), split equally between its
 * jobs (at least 1 each) and capped at the project's slice in job order; then a second pass
 * fills what is left in job order, so a small job or project is never stuck behind a huge one.
 * The first pass reads its candidates without locks (at most a job slice per job) and locks the
 * ones it keeps with `FOR UPDATE SKIP LOCKED`, which re-checks each row's state as committed
 * now, so nothing is locked that is not claimed and concurrent workers never wait on each other.
 * The fill pass locks as it reads; the outer LIMIT over a nested loop of per-job index scans
 * stops as soon as enough rows are locked. It runs in the same snapshot as the first, so it
 * excludes by id the rows the first pass just took.
 */
export const CLAIM_RECORDS_SQL = `
WITH active AS (
  SELECT id, seq, priority, endpoint, kind, project_id FROM jobs
  WHERE status = 'in_progress' AND NOT (project_id = ANY($9::text[]))
),
projects AS (
  SELECT a.project_id, count(*) AS jobs, COALESCE(max(w.weight), $8::float8) AS weight
  FROM active a LEFT JOIN unnest($6::text[], $7::float8[]) AS w(project_id, weight) USING (project_id)
  GROUP BY a.project_id
),
shares AS (
  SELECT project_id, jobs,
    GREATEST(1, CEIL($4 * weight / (SELECT sum(weight) FROM projects)))::int AS project_slice
  FROM projects
),
first_candidates AS (
  SELECT r.id, a.id AS job_id, s.project_id, s.project_slice, a.seq, a.priority, r.rn
  FROM active a
  JOIN shares s USING (project_id)
  CROSS JOIN LATERAL (
    SELECT id, row_number() OVER (ORDER BY id) AS rn FROM records
    WHERE job_id = a.id AND route = $3 AND state = 'pending' AND run_at <= $5
    ORDER BY id LIMIT GREATEST(1, CEIL(s.project_slice::numeric / s.jobs))::int
  ) r
),
first_in_share AS (
  SELECT id, priority, seq, rn FROM (
    SELECT id, priority, seq, rn, project_slice,
      row_number() OVER (PARTITION BY project_id ORDER BY priority DESC, seq, rn) AS in_project
    FROM first_candidates
  ) c
  WHERE in_project <= project_slice
),
first_kept AS MATERIALIZED (
  SELECT id FROM first_in_share ORDER BY priority DESC, seq, rn LIMIT $4
),
first_pick AS (
  SELECT r.id, a.seq, a.priority, a.endpoint, a.kind, a.project_id
  FROM first_kept k
  CROSS JOIN LATERAL (
    SELECT id, job_id FROM records WHERE id = k.id AND state = 'pending' AND run_at <= $5
    FOR UPDATE SKIP LOCKED
  ) r
  JOIN active a ON a.id = r.job_id
),
first_claim AS (
  UPDATE records SET state = 'running', attempt = attempt + 1, lease_owner = $1, lease_until = $2
  FROM first_pick p WHERE records.id = p.id
  RETURNING 1 AS pass, p.seq, p.priority, p.endpoint, p.kind, p.project_id, records.id, records.job_id, records.custom_id, records.route,
    records.body, records.attempt, records.max_attempts
),
fill_pick AS (
  SELECT r.id, a.seq, a.priority, a.endpoint, a.kind, a.project_id
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
  RETURNING 2 AS pass, p.seq, p.priority, p.endpoint, p.kind, p.project_id, records.id, records.job_id, records.custom_id, records.route,
    records.body, records.attempt, records.max_attempts
)
SELECT * FROM first_claim
UNION ALL
SELECT * FROM fill_claim
ORDER BY pass, priority DESC, seq, id
`;

/** The weights parameters ($6, $7, $8) of CLAIM_RECORDS_SQL. */
export function claimWeightParams(weights: ProjectWeights | undefined): [string[], number[], number] {
  const entries = Object.entries(weights?.byProject ?? {});
  return [entries.map(([id]) => id), entries.map(([, w]) => w), weights?.defaultWeight ?? 1];
}

export interface ClaimRow {
  id: number;
  job_id: string;
  project_id: string;
  endpoint: string;
  kind: string;
  custom_id: string;
  route: string;
  body: string;
  attempt: number;
  max_attempts: number;
}
