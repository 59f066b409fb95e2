import type pg from "pg";
import type { FileStore } from "../file-store.js";
import { type FileRow, fileFromRow } from "../rows.js";
import { query } from "./pg-connection.js";

type Row = FileRow & pg.QueryResultRow;

/**
 * FILE_INSERT_SQL — $1 id, $2 filename, $3 purpose, $4 bytes, $5 blob_key, $6 created_at, $7 expires_at,
 * $8 project_id.
 */
export const FILE_INSERT_SQL = `INSERT INTO files (id, filename, purpose, bytes, blob_key, created_at, expires_at, project_id)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`;

/** Files on PostgreSQL (FileStore). */
export function pgFiles(pool: pg.Pool): FileStore {
  return {
    async insertFile(f) {
      await query(pool, FILE_INSERT_SQL, [
        f.id,
        f.filename,
        f.purpose,
        f.bytes,
        f.blobKey,
        f.createdAt,
        f.expiresAt,
        f.projectId,
      ]);
    },

    async getFile(id) {
      const [row] = await query<Row>(pool, "SELECT * FROM files WHERE id = $1", [id]);
      return row && fileFromRow(row);
    },

    async listFiles(q) {
      const asc = q.order === "asc";
      const rows = await query<Row>(
        pool,
        `SELECT * FROM files WHERE ($1::text IS NULL OR purpose = $1) AND ($4::text IS NULL OR project_id = $4)
         AND ($2::text IS NULL OR seq ${asc ? ">" : "<"} (SELECT seq FROM files WHERE id = $2))
       ORDER BY seq ${asc ? "ASC" : "DESC"} LIMIT $3`,
        [q.purpose ?? null, q.after ?? null, q.limit, q.projectId ?? null],
      );
      return rows.map(fileFromRow);
    },

    async deleteFile(id) {
      return (await query(pool, "DELETE FROM files WHERE id = $1 RETURNING id", [id])).length > 0;
    },
  };
}
