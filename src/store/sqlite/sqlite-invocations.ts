import { INVOCATION_CODES } from "../../domain/invocation.js";
import {
  INVOCATION_COLUMNS,
  INVOCATION_PRIORITY,
  type InvocationRow,
  invocationFromRow,
  TTL_EXPIRED_MESSAGE,
} from "../invocation-rows.js";
import type { InvocationStore } from "../invocation-store.js";
import type { SqliteDatabase } from "./sqlite-driver.js";

const FROM = `FROM invocations i JOIN jobs j ON j.id = i.job_id LEFT JOIN records r ON r.job_id = i.job_id`;

function prepareStatements(db: SqliteDatabase) {
  return {
    byId: db.prepare<[string], InvocationRow>(`SELECT ${INVOCATION_COLUMNS} ${FROM} WHERE i.job_id = ?`),
    byInferenceId: db.prepare<[string, string], InvocationRow>(
      `SELECT ${INVOCATION_COLUMNS} ${FROM} WHERE i.project_id = ? AND i.inference_id = ?`,
    ),
    insertJob: db.prepare(
      `INSERT INTO jobs (id, kind, status, priority, endpoint, input_file_id, completion_window, webhook_url,
         total, created_at, in_progress_at, expires_at, project_id)
       VALUES (?, 'invocation', 'in_progress', ${INVOCATION_PRIORITY}, ?, ?, ?, ?, 1, ?, ?, ?, ?)`,
    ),
    insertInvocation: db.prepare(
      `INSERT INTO invocations (job_id, inference_id, model, route, input_bytes, ttl_until, timeout_ms, custom_attributes, project_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertRecord: db.prepare(
      `INSERT INTO records (job_id, position, line, custom_id, route, body, max_attempts) VALUES (?, 0, 1, ?, ?, ?, ?)`,
    ),
    // Driven from the (few) in-progress jobs, so finished invocations are never scanned.
    dueForTtl: db.prepare<[number], { job_id: string; record_id: number }>(
      `SELECT j.id AS job_id, r.id AS record_id
       FROM jobs j JOIN invocations i ON i.job_id = j.id JOIN records r ON r.job_id = j.id
       WHERE j.status = 'in_progress' AND j.kind = 'invocation' AND i.ttl_until <= ?
         AND r.state = 'pending'`,
    ),
    expireRecord: db.prepare(
      `UPDATE records SET state = 'expired', error_code = ?, error_message = ?, finished_at = ?
       WHERE id = ? AND state = 'pending'`,
    ),
    expireJob: db.prepare(
      `UPDATE jobs SET expired = expired + 1, status = 'finalizing', end_status = 'expired', finalizing_at = ?
       WHERE id = ? AND status = 'in_progress'`,
    ),
  };
}

/** Invocation jobs on SQLite (InvocationStore). */
export function sqliteInvocations(db: SqliteDatabase): InvocationStore {
  const s = prepareStatements(db);
  return {
    async insertInvocation(n) {
      return db
        .transaction(() => {
          const existing = s.byInferenceId.get(n.projectId, n.inferenceId);
          if (existing) return { invocation: invocationFromRow(existing), created: false };
          s.insertJob.run(
            n.id,
            n.endpoint,
            n.inputFileId,
            `${Math.ceil((n.ttlUntil - n.createdAt) / 1000)}s`,
            n.webhookUrl,
            n.createdAt,
            n.createdAt,
            n.expiresAt,
            n.projectId,
          );
          s.insertInvocation.run(
            n.id,
            n.inferenceId,
            n.model,
            n.route,
            n.inputBytes,
            n.ttlUntil,
            n.timeoutMs,
            n.customAttributes,
            n.projectId,
          );
          s.insertRecord.run(n.id, n.inferenceId, n.route, n.body, n.maxAttempts);
          return { invocation: invocationFromRow(s.byId.get(n.id)!), created: true };
        })
        .immediate();
    },

    async getInvocation(idOrInferenceId, projectId) {
      const row =
        s.byId.get(idOrInferenceId) ??
        (projectId === undefined ? undefined : s.byInferenceId.get(projectId, idOrInferenceId));
      return row && invocationFromRow(row);
    },

    async expireInvocations(now) {
      return db
        .transaction(() => {
          const ids: string[] = [];
          for (const due of s.dueForTtl.all(now)) {
            const moved = s.expireRecord.run(
              INVOCATION_CODES.ttlExpired,
              TTL_EXPIRED_MESSAGE,
              now,
              due.record_id,
            ).changes;
            if (moved === 0) continue;
            s.expireJob.run(now, due.job_id);
            ids.push(due.job_id);
          }
          return ids;
        })
        .immediate();
    },
  };
}
