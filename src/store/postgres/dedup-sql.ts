import { ENDED_RECORD_STATES } from "../../domain/record-transitions.js";
import { sqlList } from "../sql-list.js";

/**
 * Identical requests once on PostgreSQL (docs/dedup-and-cache.md). Records are locked before
 * jobs and jobs before the response cache, the order every statement of this engine keeps.
 */

/**
 * INSERT_DEDUP_RECORDS_SQL — records sent or waiting, with their dedup decision. $1 job id,
 * $2 max_attempts, then parallel arrays: $3 positions, $4 lines, $5 custom_ids, $6 custom_id_json,
 * $7 routes, $8 bodies, $9 states (`pending` | `following`), $10 keys, $11 follows, $12 dedup_due.
 */
export const INSERT_DEDUP_RECORDS_SQL = `
INSERT INTO records (job_id, position, line, custom_id, custom_id_json, route, body, max_attempts,
  state, dedup_key, follows, dedup_due)
SELECT $1, position, line, custom_id, custom_id_json, route, body, $2, state, key, follows, due
FROM unnest($3::int[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
            $11::int[], $12::smallint[])
  AS r(position, line, custom_id, custom_id_json, route, body, state, key, follows, due)
`;

/**
 * INSERT_CACHE_HITS_SQL — records answered from the cache, the answer copied from it by the
 * statement (never through the client). $1 job id, $2 max_attempts, $3 now, then parallel arrays:
 * $4 positions, $5 lines, $6 custom_ids, $7 custom_id_json, $8 routes, $9 bodies, $10 keys,
 * $11 the dollars each saved. Returns the position of each record stored (an entry evicted since
 * validation looked it up stores nothing: the caller stores that record to be sent) and the
 * tokens it saved.
 */
export const INSERT_CACHE_HITS_SQL = `
WITH r AS (
  SELECT * FROM unnest($4::int[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                       $11::float8[])
    AS r(position, line, custom_id, custom_id_json, route, body, key, usd)
),
stored AS (
  INSERT INTO records (job_id, position, line, custom_id, custom_id_json, route, body, max_attempts,
    state, dedup_key, served_from, response_status, response_request_id, response_body, finished_at)
  SELECT $1, r.position, r.line, r.custom_id, r.custom_id_json, r.route, r.body, $2,
    'succeeded', c.key, 'cache', c.status_code, c.request_id, c.body, $3
  FROM r JOIN response_cache c ON c.key = r.key
  RETURNING position
)
SELECT s.position, c.input_tokens, c.output_tokens, r.usd
FROM stored s JOIN r USING (position) JOIN response_cache c ON c.key = r.key
`;

/** COUNT_CACHE_HITS_SQL — $1 job id, $2 records, $3 input tokens, $4 output tokens, $5 dollars saved. */
export const COUNT_CACHE_HITS_SQL = `
UPDATE jobs SET succeeded = succeeded + $2, cached = cached + $2, saved_input_tokens = saved_input_tokens + $3,
  saved_output_tokens = saved_output_tokens + $4, saved_usd = saved_usd + $5
WHERE id = $1
`;

/** READ_CACHE_SQL — $1 keys, $2 now: the live entries among them, marked used now. */
export const READ_CACHE_SQL = `
UPDATE response_cache SET used_at = $2
WHERE key = ANY($1::text[]) AND expires_at > $2
RETURNING key, input_tokens, output_tokens
`;

/**
 * DUE_LEADERS_SQL — $1 limit. Ended leaders with an answer still to hand on, oldest first, with
 * their job's model; locked, and skipped when another process holds them.
 */
export const DUE_LEADERS_SQL = `
SELECT r.id, r.job_id, r.position, r.route, r.state, r.dedup_key, r.dedup_due, r.response_status,
  r.response_request_id, r.response_body, r.error_code, r.error_message, r.input_tokens, r.output_tokens, j.model
FROM records r JOIN jobs j ON j.id = r.job_id
WHERE r.dedup_due IS NOT NULL AND r.state IN (${sqlList(ENDED_RECORD_STATES)})
ORDER BY r.id LIMIT $1
FOR UPDATE OF r SKIP LOCKED
`;

/**
 * FOLLOW_LEADERS_SQL — $1 leader ids, $2 now. Each follower of those leaders takes its leader's end
 * state and answer, fenced by its state `following` (exactly once). Returns each follower's job
 * and leader position.
 */
export const FOLLOW_LEADERS_SQL = `
UPDATE records f SET state = l.state, response_status = l.response_status,
  response_request_id = l.response_request_id, response_body = l.response_body, error_code = l.error_code,
  error_message = l.error_message, finished_at = $2, served_from = 'leader'
FROM records l
WHERE l.id = ANY($1::bigint[]) AND f.job_id = l.job_id AND f.follows = l.position AND f.state = 'following'
RETURNING f.job_id, f.follows
`;

/** LEADERS_DONE_SQL — $1 leader ids: nothing more is due from them. */
export const LEADERS_DONE_SQL = "UPDATE records SET dedup_due = NULL WHERE id = ANY($1::bigint[])";

/** COUNT_FOLLOWERS_SQL — $1 job id, then the eight counters of `savingsOf` (dedup-rows.ts). */
export const COUNT_FOLLOWERS_SQL = `
UPDATE jobs SET succeeded = succeeded + $2, failed = failed + $3, cancelled = cancelled + $4,
  expired = expired + $5, deduplicated = deduplicated + $6, saved_input_tokens = saved_input_tokens + $7,
  saved_output_tokens = saved_output_tokens + $8, saved_usd = saved_usd + $9
WHERE id = $1
`;

/**
 * STORE_ANSWERS_SQL — parallel arrays of distinct keys: $1 keys, $2 routes, $3 status codes,
 * $4 request ids, $5 bodies, $6 input tokens, $7 output tokens, $8 bytes; $9 now, $10 expires_at.
 * A newer answer for a key replaces the older.
 */
export const STORE_ANSWERS_SQL = `
INSERT INTO response_cache (key, route, status_code, request_id, body, input_tokens, output_tokens, bytes,
  created_at, expires_at, used_at)
SELECT key, route, status_code, request_id, body, input_tokens, output_tokens, bytes, $9, $10, $9
FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[])
  AS a(key, route, status_code, request_id, body, input_tokens, output_tokens, bytes)
ON CONFLICT (key) DO UPDATE SET route = excluded.route, status_code = excluded.status_code,
  request_id = excluded.request_id, body = excluded.body, input_tokens = excluded.input_tokens,
  output_tokens = excluded.output_tokens, bytes = excluded.bytes, created_at = excluded.created_at,
  expires_at = excluded.expires_at, used_at = excluded.used_at
`;

/** DELETE_EXPIRED_SQL — $1 now, $2 at most this many: expired entries, soonest first. */
export const DELETE_EXPIRED_SQL = `
DELETE FROM response_cache WHERE key IN (
  SELECT key FROM response_cache WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2
)
`;
