import type { ProviderResult } from "../provider-job-store.js";
import { appendProviderResultColumns } from "../provider-result-columns.js";
import { JOB_COUNTS_SET_SQL, outcomeSetSql, PER_JOB_TALLY_SQL } from "./outcome-set-sql.js";

/**
 * Ingest's write (ProviderJobStore.writeProviderResults) in one statement: a batch of a provider
 * job's results, the tallies of their Docket jobs, the provider job's progress and its member
 * jobs' batch-priced usage: one round trip and one commit per batch.
 *
 * Parameters: $1 the provider job's id; $2 the results as one JSON array of rows, each an array
 * of PROVIDER_RESULT_COLUMNS (provider-result-columns.ts); $3 now; $4 the provider job's lease
 * owner. Returns one row: how many were written, and how many of those were retries.
 *
 * JSON rather than a text[] per column (RECORD_RESULTS_SQL's way): node-postgres writes array
 * literals by escaping each element in JavaScript, and for 10,000 answers that string building
 * (and the garbage it leaves) cost more client CPU than the rest of ingest; JSON.stringify is
 * native. jsonb keeps a string exactly, so an answer's bytes are stored as the provider sent them.
 *
 * Fenced by the record being still bound to the provider job (running, leased to its owner,
 * its provider_job_id): while bound a record's attempt cannot move on, so this is the attempt
 * fence of RECORD_RESULTS_SQL (record-results-sql.ts), whose rules a retry follows too: failed
 * past its attempt budget, cancelled in a job being cancelled. Records are written before job
 * rows, job rows in id order, as there.
 *
 * Each result must be one primary-key lookup, whatever the statistics say. Bound records were
 * pending at the last ANALYZE (binding and ingest come minutes apart, autovacuum hours), so the
 * planner takes `provider_job_id = $1` or `state = 'running'` for a handful of rows and hashes
 * every record bound to the provider job, for every batch: ingest grew with the square of the
 * job's size (100,000 records: 5 s of the 20). Hence the fence is written as one CASE, which
 * no index or partial index matches, and the statement runs with hash and merge joins off
 * (PROVIDER_RESULTS_PLAN, SET LOCAL in its transaction): a nested loop over the results and
 * `records_pkey` is what is left. EvalPlanQual re-checks the CASE on a row updated meanwhile.
 */
export const PROVIDER_RESULTS_PLAN = "SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off";

export const PROVIDER_RESULTS_SQL = `
WITH v AS (
  SELECT (e->>0)::bigint AS id, e->>1 AS state, (e->>2)::bigint AS run_at, (e->>3)::int AS response_status,
         e->>4 AS response_request_id, e->>5 AS response_body, e->>6 AS error_code, e->>7 AS error_message,
         (e->>8)::bigint AS input_tokens, (e->>9)::bigint AS output_tokens, (e->>10)::int AS latency_ms
  FROM jsonb_array_elements($2::jsonb) AS e
),
done AS (
  UPDATE records r SET
    state = CASE WHEN v.state <> 'pending' THEN v.state
                 WHEN j.status = 'cancelling' THEN 'cancelled'
                 WHEN r.attempt - r.released >= r.max_attempts THEN 'failed'
                 ELSE 'pending' END,
    ${outcomeSetSql("$3")}
  FROM v, jobs j
  WHERE r.id = v.id
    AND CASE WHEN r.state = 'running' AND r.lease_owner = $4 AND r.provider_job_id = $1 THEN true ELSE false END
    AND j.id = r.job_id
  RETURNING r.id, r.job_id, r.state, v.state AS asked, v.input_tokens, v.output_tokens
),
per_job AS (${PER_JOB_TALLY_SQL}
),
counted AS (
  UPDATE jobs j SET ${JOB_COUNTS_SET_SQL}
  FROM (SELECT * FROM per_job WHERE succeeded + failed + cancelled > 0 ORDER BY job_id) d
  WHERE j.id = d.job_id
),
usage AS (
  UPDATE provider_job_members m SET
    succeeded = m.succeeded + d.succeeded,
    input_tokens = m.input_tokens + d.input_tokens,
    output_tokens = m.output_tokens + d.output_tokens
  FROM per_job d
  WHERE m.provider_job_id = $1 AND m.job_id = d.job_id AND d.succeeded > 0
),
progress AS (
  UPDATE provider_jobs SET
    ingested = ingested + (SELECT count(*) FROM done),
    requeued = requeued + (SELECT count(*) FROM done WHERE asked = 'pending'),
    updated_at = $3
  WHERE id = $1
)
SELECT count(*) AS written, count(*) FILTER (WHERE asked = 'pending') AS requeued FROM done
`;

/** PROVIDER_RESULTS_SQL's parameters; the first answer for an id wins (a later one is refused). */
export function providerResultsParams(
  id: string,
  results: ProviderResult[],
  now: number,
  owner: string,
): unknown[] {
  const rows: unknown[][] = [];
  const seen = new Set<number>();
  for (const r of results) {
    if (seen.has(r.recordId)) continue;
    seen.add(r.recordId);
    const row: unknown[] = [];
    appendProviderResultColumns(row, r);
    rows.push(row);
  }
  return [id, JSON.stringify(rows), now, owner];
}
