import type { FileStore } from "../file-store.js";
import { type FileRow, fileFromRow } from "../rows.js";
import type { SqliteShared } from "./sqlite-shared.js";

/** Files on SQLite (FileStore). */
export function sqliteFiles({ db, insertFile }: SqliteShared): FileStore {
  const getFile = db.prepare<[string], FileRow>("SELECT * FROM files WHERE id = ?");
  return {
    async insertFile(f) {
      insertFile(f);
    },

    async getFile(id) {
      const row = getFile.get(id);
      return row && fileFromRow(row);
    },

    async listFiles(q) {
      const asc = q.order === "asc";
      const rows = db
        .prepare(
          `SELECT * FROM files WHERE (? IS NULL OR purpose = ?) AND (? IS NULL OR project_id = ?)
           AND (? IS NULL OR seq ${asc ? ">" : "<"} (SELECT seq FROM files WHERE id = ?))
         ORDER BY seq ${asc ? "ASC" : "DESC"} LIMIT ?`,
        )
        .all(
          q.purpose ?? null,
          q.purpose ?? null,
          q.projectId ?? null,
          q.projectId ?? null,
          q.after ?? null,
          q.after ?? null,
          q.limit,
        ) as FileRow[];
      return rows.map(fileFromRow);
    },

    async deleteFile(id) {
      return db.prepare("DELETE FROM files WHERE id = ?").run(id).changes > 0;
    },
  };
}
