import { type ApiKeyRow, apiKeyFromRow } from "../key-rows.js";
import type { KeyStore } from "../key-store.js";
import type { SqliteDatabase } from "./sqlite-driver.js";

/** API keys and projects on SQLite (KeyStore). */
export function sqliteKeys(db: SqliteDatabase): KeyStore {
  return {
    async createApiKey(k) {
      db.transaction(() => {
        db.prepare("INSERT INTO projects (id, created_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING").run(
          k.projectId,
          k.createdAt,
        );
        db.prepare(
          `INSERT INTO api_keys (id, project_id, role, label, hash, created_at, revoked_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        ).run(k.id, k.projectId, k.role, k.label, k.hash, k.createdAt, k.revokedAt);
      }).immediate();
    },

    async findApiKey(id) {
      const row = db.prepare<[string], ApiKeyRow>("SELECT * FROM api_keys WHERE id = ?").get(id);
      return row ? apiKeyFromRow(row) : undefined;
    },

    async listApiKeys({ projectId }) {
      const rows = db
        .prepare<[string | null, string | null], ApiKeyRow>(
          "SELECT * FROM api_keys WHERE (? IS NULL OR project_id = ?) ORDER BY created_at, id",
        )
        .all(projectId ?? null, projectId ?? null);
      return rows.map(apiKeyFromRow);
    },

    async revokeApiKey(id, now) {
      return (
        db.prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL").run(now, id)
          .changes > 0
      );
    },

    async hasApiKeys() {
      return db.prepare("SELECT 1 FROM api_keys LIMIT 1").get() !== undefined;
    },

    async listProjects() {
      return db
        .prepare<[], { id: string; created_at: number }>("SELECT id, created_at FROM projects ORDER BY id")
        .all()
        .map((r) => ({ id: r.id, createdAt: r.created_at }));
    },
  };
}
