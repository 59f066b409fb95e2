import { PROVIDER_RESULT_COLUMNS } from "../provider-result-columns.js";

/**
 * The pieces of PostgreSQL's two result writes that must stay the same: `recordResults`
 * (record-results-sql.ts, a worker's acknowledgements) and provider-batch ingest
 * (provider-results-sql.ts). Both feed a row set `v` of outcome columns (PROVIDER_RESULT_COLUMNS'
 * names: provider-result-columns.ts), joined to `records r` and `jobs j`; one place for what an
 * outcome writes keeps a finished record the same whichever path finished it.
 */

/** The outcome columns each row of `v` carries after `id` (and, for recordResults, `attempt`). */
export const OUTCOME_VALUE_COLUMNS = PROVIDER_RESULT_COLUMNS.slice(1);

/**
 * SET assignments after `state` (whose rules differ): what the outcome wrote, the retry time for
 * a retry, `finished_at` when the record ends (a final outcome, a job being cancelled, or the
 * attempt budget spent), and the lease let go. `now` is the statement's parameter for the time.
 */
export function outcomeSetSql(now: string): string {
  return `run_at = CASE WHEN v.state = 'pending' THEN v.run_at ELSE r.run_at END,
    response_status = v.response_status,
    response_request_id = v.response_request_id,
    response_body = v.response_body,
    error_code = v.error_code,
    error_message = v.error_message,
    input_tokens = v.input_tokens,
    output_tokens = v.output_tokens,
    finished_at = CASE WHEN v.state <> 'pending' OR j.status = 'cancelling' OR r.attempt - r.released >= r.max_attempts
                       THEN ${now}::bigint ELSE NULL END,
    latency_ms = v.latency_ms,
    lease_owner = NULL,
    lease_until = NULL`;
}

/** The job counters an UPDATE of `jobs j` adds from a per-job tally `d` of ended records. */
export const JOB_COUNTS_SET_SQL = `succeeded = j.succeeded + d.succeeded,
    failed = j.failed + d.failed,
    cancelled = j.cancelled + d.cancelled,
    input_tokens = j.input_tokens + d.input_tokens,
    output_tokens = j.output_tokens + d.output_tokens`;

/** Per job, of the rows a `done` CTE returned: how many ended each way and the tokens they used. */
export const PER_JOB_TALLY_SQL = `SELECT job_id,
      count(*) FILTER (WHERE state = 'succeeded') AS succeeded,
      count(*) FILTER (WHERE state = 'failed') AS failed,
      count(*) FILTER (WHERE state = 'cancelled') AS cancelled,
      COALESCE(sum(input_tokens), 0) AS input_tokens,
      COALESCE(sum(output_tokens), 0) AS output_tokens
    FROM done
    GROUP BY job_id`;
