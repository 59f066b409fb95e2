import type pg from "pg";
import { foldBacklog } from "../backlog-rows.js";
import type { BacklogStore } from "../backlog-store.js";
import { BACKLOG_SQL } from "./backlog-sql.js";
import { query } from "./pg-connection.js";

/** The backlog on PostgreSQL (BacklogStore). */
export function pgBacklog(pool: pg.Pool): BacklogStore {
  return {
    async backlogStats(_now) {
      return foldBacklog(
        await query<{ route: string; kind: string; state: string; n: number; oldest: number | null }>(
          pool,
          BACKLOG_SQL,
        ),
      );
    },
  };
}
