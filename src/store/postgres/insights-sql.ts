import { ENDED_JOB_STATUSES } from "../../domain/job-transitions.js";
import { sqlList } from "../sql-list.js";

/** Jobs not yet ended, newest first. $1 limit, $2 project id (NULL: every project's). */
export const ACTIVE_JOBS_SQL = `
SELECT * FROM jobs WHERE status NOT IN (${sqlList(ENDED_JOB_STATUSES)}) AND ($2::text IS NULL OR project_id = $2)
ORDER BY seq DESC LIMIT $1`;

/** Records of job $1 leased now (partial index records_running_job). */
export const RUNNING_RECORDS_SQL = `
SELECT count(*) AS n FROM records WHERE job_id = $1 AND state = 'running'`;

/**
 * Finished records of job $1 per $2-ms bucket with $3 ≤ finished_at < $4, oldest first, read
 * from the covering index records_finished (migration 0008) alone.
 */
export const FINISHED_BUCKETS_SQL = `
SELECT (finished_at / $2::bigint) * $2::bigint AS start,
       count(*) FILTER (WHERE state = 'succeeded') AS succeeded, count(*) AS n
FROM records WHERE job_id = $1 AND finished_at >= $3 AND finished_at < $4
GROUP BY 1 ORDER BY 1`;

/** Records of job $1 finished at or after $2. */
export const FINISHED_SINCE_SQL = `
SELECT count(*) AS n FROM records WHERE job_id = $1 AND finished_at >= $2`;

/** Backend call times of job $1's $2 most recently finished records that have one. */
export const RECENT_LATENCIES_SQL = `
SELECT latency_ms FROM records WHERE job_id = $1 AND finished_at IS NOT NULL AND latency_ms IS NOT NULL
ORDER BY finished_at DESC LIMIT $2`;

/** Failed records of job $1 per error code, largest first, $2 codes at most (records_failed_code). */
export const FAILED_BY_CODE_SQL = `
SELECT error_code AS code, count(*) AS n FROM records WHERE job_id = $1 AND state = 'failed'
GROUP BY error_code ORDER BY n DESC, code LIMIT $2`;

/**
 * Up to $5 records of job $2 in state $3 in input order, bodies cut to $1 characters in SQL;
 * $4: the error code to match, or NULL with $6 = true for "no code", or any code with $6 = false
 * and $4 NULL. Bytes are the whole bodies' UTF-8 lengths.
 */
export const SAMPLE_RECORDS_SQL = `
SELECT r.custom_id, r.position, r.line, r.state, r.attempt - r.released AS attempts, r.error_code, r.error_message,
       substr(r.body, 1, $1) AS body_text, octet_length(r.body) AS body_bytes, length(r.body) AS body_chars,
       r.response_status, substr(r.response_body, 1, $1) AS response_text,
       octet_length(r.response_body) AS response_bytes, length(r.response_body) AS response_chars
FROM records r
WHERE r.job_id = $2 AND r.state = $3
  AND (CASE WHEN $4::text IS NOT NULL THEN r.error_code = $4 WHEN $6::boolean THEN r.error_code IS NULL ELSE true END)
ORDER BY r.id LIMIT $5`;
