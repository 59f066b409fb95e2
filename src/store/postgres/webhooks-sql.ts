import { ENDED_JOB_STATUSES } from "../../domain/job-transitions.js";
import { sqlList } from "../sql-list.js";

/** Webhook deliveries on PostgreSQL (migration 0003); each constant lists its parameters. */

/** $1 limit. Ended jobs whose end event has not been considered yet, oldest first. */
export const JOBS_TO_NOTIFY_SQL = `
SELECT * FROM jobs WHERE notified = 0 AND status IN (${sqlList(ENDED_JOB_STATUSES)})
ORDER BY seq LIMIT $1`;

/**
 * $1 job id; the delivery, all NULL when none is due: $2 id, $3 event, $4 url, $5 payload,
 * $6 created_at (also the first attempt's time). One statement: the delivery and the mark
 * commit together, and a repeat for the same (job, event) inserts nothing.
 */
export const ENQUEUE_WEBHOOK_SQL = `
WITH added AS (
  INSERT INTO webhook_deliveries (id, job_id, event, url, payload, next_attempt_at, created_at)
  SELECT $2, $1, $3, $4, $5, $6, $6 WHERE $2::text IS NOT NULL
  ON CONFLICT (job_id, event) DO NOTHING
)
UPDATE jobs SET notified = 1 WHERE id = $1`;

/**
 * $1 now, $2 lease until, $3 limit. Leases due deliveries by pushing their next attempt
 * forward; SKIP LOCKED lets several senders run side by side.
 */
export const CLAIM_DELIVERIES_SQL = `
UPDATE webhook_deliveries SET next_attempt_at = $2
WHERE id IN (
  SELECT id FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= $1
  ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED
)
RETURNING *`;

/** $1 id. Locks the delivery while its attempt is written. */
export const DELIVERY_FOR_UPDATE_SQL = "SELECT * FROM webhook_deliveries WHERE id = $1 FOR UPDATE";

/** $1 id, $2 state, $3 next_attempt_at, $4 delivered_at, $5 log. */
export const RECORD_DELIVERY_SQL = `
UPDATE webhook_deliveries SET state = $2, attempts = attempts + 1, next_attempt_at = $3, delivered_at = $4, log = $5
WHERE id = $1 AND state = 'pending'`;

/** $1 job id. */
export const DELIVERIES_OF_JOB_SQL = "SELECT * FROM webhook_deliveries WHERE job_id = $1 ORDER BY seq";
