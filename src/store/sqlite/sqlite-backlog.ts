import { foldBacklog } from "../backlog-rows.js";
import type { BacklogStore } from "../backlog-store.js";
import type { SqliteDatabase } from "./sqlite-driver.js";

/**
 * Waiting and running records per route and job kind. Each half reads one partial index
 * (pending: records_claim, running: records_running_job) grouped per job, so a scrape costs
 * the backlog's size in index entries, never the finished rows of the table.
 */
const BACKLOG_SQL = `
SELECT g.route, j.kind, g.state, SUM(g.n) AS n, MIN(j.in_progress_at) AS oldest
FROM (
  SELECT job_id, route, 'pending' AS state, count(*) AS n FROM records WHERE state = 'pending' GROUP BY job_id, route
  UNION ALL
  SELECT job_id, route, 'running' AS state, count(*) AS n FROM records WHERE state = 'running' GROUP BY job_id, route
) g JOIN jobs j ON j.id = g.job_id
WHERE j.status IN ('in_progress', 'cancelling')
GROUP BY g.route, j.kind, g.state
`;

type Row = { route: string; kind: string; state: "pending" | "running"; n: number; oldest: number | null };

/** The backlog on SQLite (BacklogStore). */
export function sqliteBacklog(db: SqliteDatabase): BacklogStore {
  return {
    async backlogStats(_now) {
      return foldBacklog(db.prepare<[], Row>(BACKLOG_SQL).all());
    },
  };
}
