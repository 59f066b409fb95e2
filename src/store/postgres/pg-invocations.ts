import type pg from "pg";
import { INVOCATION_CODES, type Invocation } from "../../domain/invocation.js";
import { type InvocationRow, invocationFromRow, TTL_EXPIRED_MESSAGE } from "../invocation-rows.js";
import type { InvocationStore } from "../invocation-store.js";
import {
  EXPIRE_INVOCATIONS_SQL,
  INSERT_INVOCATION_JOB_SQL,
  INSERT_INVOCATION_RECORD_SQL,
  INSERT_INVOCATION_SQL,
  INVOCATION_BY_ID_SQL,
  INVOCATION_BY_INFERENCE_ID_SQL,
} from "./invocations-sql.js";
import { query, transaction } from "./pg-connection.js";

/** Thrown inside the insert transaction to roll it back when the inference id is taken. */
class InferenceIdTaken extends Error {}

type Row = InvocationRow & pg.QueryResultRow;

/** Invocation jobs on PostgreSQL (InvocationStore). */
export function pgInvocations(pool: pg.Pool): InvocationStore {
  const byInferenceId = async (projectId: string, inferenceId: string): Promise<Invocation | undefined> => {
    const [row] = await query<Row>(pool, INVOCATION_BY_INFERENCE_ID_SQL, [projectId, inferenceId]);
    return row && invocationFromRow(row);
  };
  const get = async (idOrInferenceId: string, projectId?: string): Promise<Invocation | undefined> => {
    const [row] = await query<Row>(pool, INVOCATION_BY_ID_SQL, [idOrInferenceId]);
    if (row) return invocationFromRow(row);
    return projectId === undefined ? undefined : byInferenceId(projectId, idOrInferenceId);
  };
  return {
    async insertInvocation(n) {
      const existing = await byInferenceId(n.projectId, n.inferenceId);
      if (existing) return { invocation: existing, created: false };
      try {
        await transaction(pool, async (c) => {
          await c.query(INSERT_INVOCATION_JOB_SQL, [
            n.id,
            n.endpoint,
            n.inputFileId,
            `${Math.ceil((n.ttlUntil - n.createdAt) / 1000)}s`,
            n.webhookUrl,
            n.createdAt,
            n.expiresAt,
            n.projectId,
          ]);
          const added = await c.query(INSERT_INVOCATION_SQL, [
            n.id,
            n.inferenceId,
            n.model,
            n.route,
            n.inputBytes,
            n.ttlUntil,
            n.timeoutMs,
            n.customAttributes,
            n.projectId,
          ]);
          if (added.rowCount === 0) throw new InferenceIdTaken();
          await c.query(INSERT_INVOCATION_RECORD_SQL, [n.id, n.inferenceId, n.route, n.body, n.maxAttempts]);
        });
      } catch (err) {
        if (!(err instanceof InferenceIdTaken)) throw err;
        const winner = await byInferenceId(n.projectId, n.inferenceId);
        if (winner) return { invocation: winner, created: false };
        throw err;
      }
      return { invocation: (await get(n.id))!, created: true };
    },

    getInvocation: get,

    async expireInvocations(now) {
      const rows = await query<{ id: string }>(pool, EXPIRE_INVOCATIONS_SQL, [
        now,
        INVOCATION_CODES.ttlExpired,
        TTL_EXPIRED_MESSAGE,
      ]);
      return rows.map((r) => r.id);
    },
  };
}
