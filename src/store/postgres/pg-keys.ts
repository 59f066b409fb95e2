import type pg from "pg";
import { type ApiKeyRow, apiKeyFromRow } from "../key-rows.js";
import type { KeyStore } from "../key-store.js";
import { num } from "../rows.js";
import { query, transaction } from "./pg-connection.js";

type Row<T> = T & pg.QueryResultRow;

/** API keys and projects on PostgreSQL (KeyStore). */
export function pgKeys(pool: pg.Pool): KeyStore {
  return {
    async createApiKey(k) {
      await transaction(pool, async (c) => {
        await c.query("INSERT INTO projects (id, created_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING", [
          k.projectId,
          k.createdAt,
        ]);
        await c.query(
          `INSERT INTO api_keys (id, project_id, role, label, hash, created_at, revoked_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [k.id, k.projectId, k.role, k.label, k.hash, k.createdAt, k.revokedAt],
        );
      });
    },

    async findApiKey(id) {
      const [row] = await query<Row<ApiKeyRow>>(pool, "SELECT * FROM api_keys WHERE id = $1", [id]);
      return row ? apiKeyFromRow(row) : undefined;
    },

    async listApiKeys({ projectId }) {
      const rows = await query<Row<ApiKeyRow>>(
        pool,
        "SELECT * FROM api_keys WHERE ($1::text IS NULL OR project_id = $1) ORDER BY created_at, id",
        [projectId ?? null],
      );
      return rows.map(apiKeyFromRow);
    },

    async revokeApiKey(id, now) {
      const rows = await query(
        pool,
        "UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING id",
        [now, id],
      );
      return rows.length > 0;
    },

    async hasApiKeys() {
      return (await query(pool, "SELECT 1 FROM api_keys LIMIT 1", [])).length > 0;
    },

    async listProjects() {
      const rows = await query<Row<{ id: string; created_at: string }>>(
        pool,
        "SELECT id, created_at FROM projects ORDER BY id",
        [],
      );
      return rows.map((r) => ({ id: r.id, createdAt: num(r.created_at) }));
    },
  };
}
