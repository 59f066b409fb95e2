import { ENDED_JOB_STATUSES } from "../../domain/job-transitions.js";
import { prunableProviderJobsWhere } from "../provider-job-prune-sql.js";
import { sqlList } from "../sql-list.js";

/**
 * Retention, in bounded sweeps (pg-boss style): each call deletes at most `limit` rows of each
 * kind, so one sweep never holds locks for long; the caller repeats while anything was pruned.
 * SKIP LOCKED lets several maintenance processes prune side by side.
 */

/** PRUNE_FILES_SQL — $1 now, $2 limit. Returns the deleted file rows (their blobs go next). */
export const PRUNE_FILES_SQL = `
DELETE FROM files WHERE id IN (
  SELECT id FROM files WHERE expires_at <= $1 ORDER BY expires_at, seq LIMIT $2 FOR UPDATE SKIP LOCKED
)
RETURNING *
`;

/**
 * PRUNE_JOBS_SQL — $1 ended-before (now − retention), $2 limit. Returns the deleted job ids.
 * A job is kept while its output or error file is: the file's expiry decides, not the job's.
 */
export const PRUNE_JOBS_SQL = `
WITH doomed AS (
  SELECT id FROM jobs j
  WHERE status IN (${sqlList(ENDED_JOB_STATUSES)})
    AND COALESCE(completed_at, failed_at, expired_at, cancelled_at) <= $1
    AND (output_file_id IS NULL OR NOT EXISTS (SELECT 1 FROM files f WHERE f.id = j.output_file_id))
    AND (error_file_id IS NULL OR NOT EXISTS (SELECT 1 FROM files f WHERE f.id = j.error_file_id))
  ORDER BY seq
  LIMIT $2
  FOR UPDATE SKIP LOCKED
),
records_gone AS (
  DELETE FROM records WHERE job_id IN (SELECT id FROM doomed)
)
DELETE FROM jobs WHERE id IN (SELECT id FROM doomed)
RETURNING id
`;

/**
 * PRUNE_PROVIDER_JOBS_SQL — $1 ended-before (now − retention), $2 limit. Returns the deleted
 * provider job ids; their per-Docket-job shares go with them. Which ones: provider-job-prune-sql.ts.
 */
export const PRUNE_PROVIDER_JOBS_SQL = `
WITH doomed AS (
  SELECT p.id FROM provider_jobs p
  WHERE ${prunableProviderJobsWhere("$1")}
  ORDER BY p.created_at
  LIMIT $2
  FOR UPDATE SKIP LOCKED
),
shares_gone AS (
  DELETE FROM provider_job_members WHERE provider_job_id IN (SELECT id FROM doomed)
)
DELETE FROM provider_jobs WHERE id IN (SELECT id FROM doomed)
RETURNING id
`;
