import { randomBytes } from "node:crypto";
import type pg from "pg";
import type { StoredFile } from "../../domain/file.js";
import type { EndStatus } from "../../domain/job-transitions.js";
import type { FinalizeStore } from "../finalize-store.js";
import { END_STATUS_COLUMN, type FinishedRow, finishedFromRow } from "../rows.js";
import { CLAIM_FINALIZABLE_SQL, completeFinalizeSql } from "./job-lifecycle-sql.js";
import { query } from "./pg-connection.js";

/**
 * How long a process owns a finalizing job before another may take it over. Maintenance is
 * elected (one process at a time), so this only matters at a handover: it bounds how long a
 * job whose leader died mid-finalize waits for the next leader. A finalize that outlasts it is
 * at worst done twice; completeFinalize keeps whichever finishes first.
 */
const FINALIZE_LEASE_MS = 15_000;

/** Finalize on PostgreSQL (FinalizeStore), under a finalize lease per job. */
export function pgFinalize(pool: pg.Pool): FinalizeStore {
  /** Identifies this store (this process) as the holder of finalize leases. */
  const owner = `store-${randomBytes(8).toString("hex")}`;
  return {
    async claimFinalizable(now) {
      const rows = await query<{ id: string; end_status: EndStatus }>(pool, CLAIM_FINALIZABLE_SQL, [
        now,
        owner,
        now + FINALIZE_LEASE_MS,
      ]);
      return rows.map((r) => ({ id: r.id, endStatus: r.end_status }));
    },

    async readFinished(jobId, afterPosition, limit, options) {
      // PostgreSQL keeps every body inline (no parts): with `bodies`, the body column comes along.
      const rows = await query<FinishedRow & pg.QueryResultRow>(
        pool,
        `SELECT id, position, custom_id, custom_id_json, state, response_status, response_request_id, response_body,
         error_code, error_message, served_from${options?.bodies ? ", body" : ""}
       FROM records WHERE job_id = $1 AND position > $2 ORDER BY position LIMIT $3`,
        [jobId, afterPosition, limit],
      );
      return rows.map(finishedFromRow);
    },

    async completeFinalize(jobId, files, now) {
      const add = [files.outputFile, files.errorFile].filter((f): f is StoredFile => f !== null);
      await query(pool, completeFinalizeSql(END_STATUS_COLUMN[files.endStatus]), [
        jobId,
        files.endStatus,
        now,
        files.outputFile?.id ?? null,
        files.errorFile?.id ?? null,
        add.map((f) => f.id),
        add.map((f) => f.filename),
        add.map((f) => f.purpose),
        add.map((f) => f.bytes),
        add.map((f) => f.blobKey),
        add.map((f) => f.createdAt),
        add.map((f) => f.expiresAt),
      ]);
    },
  };
}
