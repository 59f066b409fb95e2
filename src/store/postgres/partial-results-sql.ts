import { OPEN_RECORD_STATES } from "../../domain/record-transitions.js";
import { sqlList } from "../sql-list.js";

/**
 * ENDED_RUN_SQL — $1 job id, $2 after position, $3 before position (exclusive), $4 limit.
 * Returns one row: ended (records in the run), last_position (its last), seen (records in the
 * window). The window is the next $4 records by records_job_position, so a call reads at most
 * $4 rows however long the job; the run stops at the window's first open record. The first
 * open position is an uncorrelated subquery (evaluated once): joined instead, the planner, which
 * cannot estimate the window, ran it once per window row (228 ms for 1,000 rows, measured).
 */
export const ENDED_RUN_SQL = `
WITH w AS (
  SELECT position, state FROM records
  WHERE job_id = $1 AND position > $2 AND position < $3 ORDER BY position LIMIT $4
)
SELECT count(*) AS ended, max(position) AS last_position, (SELECT count(*) FROM w) AS seen
FROM w
WHERE position < COALESCE((SELECT min(position) FROM w WHERE state IN (${sqlList(OPEN_RECORD_STATES)})), $3)
`;
