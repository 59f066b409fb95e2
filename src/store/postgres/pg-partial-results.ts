import type pg from "pg";
import { NO_POSITION_BOUND, type PartialResultStore } from "../partial-result-store.js";
import { ENDED_RUN_SQL } from "./partial-results-sql.js";
import { query } from "./pg-connection.js";

/** The run of ended records after a cursor, on PostgreSQL (PartialResultStore). */
export function pgPartialResults(pool: pg.Pool): PartialResultStore {
  return {
    async endedRun(jobId, afterPosition, limit, beforePosition = NO_POSITION_BOUND) {
      const [row] = await query<{ ended: number; last_position: number | null; seen: number }>(
        pool,
        ENDED_RUN_SQL,
        [jobId, afterPosition, beforePosition, limit],
      );
      const ended = Number(row!.ended);
      const seen = Number(row!.seen);
      return {
        ended,
        lastPosition: ended > 0 ? Number(row!.last_position) : null,
        more: ended < seen || seen === limit,
      };
    },
  };
}
