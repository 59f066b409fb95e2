import type { EndStatus } from "../../domain/job-transitions.js";
import { OPEN_RECORD_STATES } from "../../domain/record-transitions.js";
import type { FinalizeStore } from "../finalize-store.js";
import { END_STATUS_COLUMN, type FinishedRow, finishedFromRow } from "../rows.js";
import { sqlList } from "../sql-list.js";
import type { SqliteShared } from "./sqlite-shared.js";

/**
 * Finalize on SQLite (FinalizeStore). One process owns the file, so no finalize lease is
 * needed: every finalizing job is this process's (domain/job-transitions.ts, finalizeMove).
 */
export function sqliteFinalize({ db, insertFile, jobTargets, statement }: SqliteShared): FinalizeStore {
  const readFinished = db.prepare(
    `SELECT id, position, custom_id, custom_id_json, state, response_status, response_request_id, response_body,
       error_code, error_message, served_from
     FROM records WHERE job_id = ? AND position > ? ORDER BY position LIMIT ?`,
  );
  // The same with each body: a body stored in parts (empty `body`) comes as its part count.
  const readFinishedBodies = db.prepare(
    `SELECT id, position, custom_id, custom_id_json, state, response_status, response_request_id, response_body,
       error_code, error_message, served_from, body,
       CASE WHEN body = '' THEN (SELECT COUNT(*) FROM record_body_parts p WHERE p.record_id = records.id) ELSE 0 END
         AS body_parts
     FROM records WHERE job_id = ? AND position > ? ORDER BY position LIMIT ?`,
  );
  return {
    async claimFinalizable(now) {
      return db
        .transaction(() => {
          statement(
            `UPDATE jobs SET status = 'finalizing', end_status = 'completed', finalizing_at = ?
             WHERE status = 'in_progress' AND succeeded + failed + cancelled + expired >= total`,
          ).run(now);
          statement(
            `UPDATE jobs SET status = 'finalizing', finalizing_at = ?
             WHERE status = 'cancelling'
               AND NOT EXISTS (SELECT 1 FROM records r WHERE r.job_id = jobs.id AND r.state IN (${sqlList(OPEN_RECORD_STATES)}))
               AND (validation_lease_until IS NULL OR validation_lease_until < ?)`,
          ).run(now, now);
          const rows = statement(
            "SELECT id, end_status FROM jobs WHERE status = 'finalizing' ORDER BY seq",
          ).all() as Array<{ id: string; end_status: EndStatus }>;
          return rows.map((r) => ({ id: r.id, endStatus: r.end_status }));
        })
        .immediate();
    },

    async readFinished(jobId, afterPosition, limit, options) {
      const statement = options?.bodies ? readFinishedBodies : readFinished;
      return (statement.all(jobId, afterPosition, limit) as FinishedRow[]).map(finishedFromRow);
    },

    async completeFinalize(jobId, files, now) {
      db.transaction(() => {
        for (const f of [files.outputFile, files.errorFile]) if (f) insertFile(f);
        statement(
          `UPDATE jobs SET status = ?, ${END_STATUS_COLUMN[files.endStatus]} = ?, output_file_id = ?, error_file_id = ?
             WHERE id = ? AND status = 'finalizing'`,
        ).run(files.endStatus, now, files.outputFile?.id ?? null, files.errorFile?.id ?? null, jobId);
      }).immediate();
      jobTargets.delete(jobId);
    },
  };
}
