/** The backlog on PostgreSQL (migration 0003's partial indexes). */

/**
 * BACKLOG_SQL — no parameters. Waiting and running records per route, job kind and state;
 * each half reads one partial index (records_claim, records_running_job), grouped per job.
 */
export const BACKLOG_SQL = `
SELECT g.route, j.kind, g.state, SUM(g.n)::bigint AS n, MIN(j.in_progress_at) AS oldest
FROM (
  SELECT job_id, route, 'pending' AS state, count(*) AS n FROM records WHERE state = 'pending' GROUP BY job_id, route
  UNION ALL
  SELECT job_id, route, 'running' AS state, count(*) AS n FROM records WHERE state = 'running' GROUP BY job_id, route
) g JOIN jobs j ON j.id = g.job_id
WHERE j.status IN ('in_progress', 'cancelling')
GROUP BY g.route, j.kind, g.state`;
