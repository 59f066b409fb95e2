import { OPEN_RECORD_STATES } from "../../domain/record-transitions.js";
import { NO_POSITION_BOUND, type PartialResultStore } from "../partial-result-store.js";
import { sqlList } from "../sql-list.js";
import type { SqliteDatabase } from "./sqlite-driver.js";

interface RunRow {
  ended: number;
  last_position: number | null;
  seen: number;
}

/**
 * The run of ended records after a cursor, on SQLite (PartialResultStore). The window is the
 * next `limit` records by the positions index (records_job_position), so a call costs at most
 * `limit` row reads however long the job; the run stops at the window's first open record.
 */
export function sqlitePartialResults(db: SqliteDatabase): PartialResultStore {
  const run = db.prepare<[string, number, number, number, number], RunRow>(
    `WITH w AS (
       SELECT position, state FROM records
       WHERE job_id = ? AND position > ? AND position < ? ORDER BY position LIMIT ?
     )
     SELECT COUNT(*) AS ended, MAX(position) AS last_position, (SELECT COUNT(*) FROM w) AS seen
     FROM w
     WHERE position < COALESCE((SELECT MIN(position) FROM w WHERE state IN (${sqlList(OPEN_RECORD_STATES)})), ?)`,
  );
  return {
    async endedRun(jobId, afterPosition, limit, beforePosition = NO_POSITION_BOUND) {
      const row = run.get(jobId, afterPosition, beforePosition, limit, beforePosition)!;
      return {
        ended: row.ended,
        lastPosition: row.ended > 0 ? row.last_position : null,
        more: row.ended < row.seen || row.seen === limit,
      };
    },
  };
}
