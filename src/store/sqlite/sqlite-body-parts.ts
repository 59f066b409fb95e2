import type { SqliteDatabase, SqliteStatement } from "./sqlite-driver.js";

/**
 * Bodies longer than this many characters are stored in parts of at most this size (table
 * `record_body_parts`, migration 0006), their record's `body` left empty. SQLite rewrites a
 * whole row on every UPDATE, so a huge body inside `records` would be read, copied and written
 * again on each claim, lease renewal and result (a 24 MB line cost ~150 MB at its claim); apart,
 * it is written once, and a worker streams it to the backend a part at a time, so no step holds
 * more than one part besides what validation already has. 1 Mi characters (≤ 3 MiB of UTF-8):
 * large enough that ordinary records never take this path, small enough to be cheap to bind.
 */
export const BODY_PART_CHARS = 1024 * 1024;
/** Bodies given as UTF-8 bytes (big lines) longer than this go in parts of at most this size. */
export const BODY_PART_BYTES = 1024 * 1024;

/** How a large body is stored: `count` parts, `bytes` of UTF-8 in all. */
export interface BodyParts {
  count: number;
  bytes: number;
}

export class SqliteBodyParts {
  private readonly insert: SqliteStatement;
  private readonly insertBytes: SqliteStatement;
  private readonly shapeOf: SqliteStatement;
  private readonly partOf: SqliteStatement;

  constructor(db: SqliteDatabase) {
    this.insert = db.prepare(
      "INSERT INTO record_body_parts (record_id, part, bytes, text) VALUES (?, ?, ?, ?)",
    );
    // Bound as a BLOB (the bytes as they are, no string made) and stored as TEXT like the others.
    this.insertBytes = db.prepare(
      "INSERT INTO record_body_parts (record_id, part, bytes, text) VALUES (?, ?, ?, CAST(? AS TEXT))",
    );
    this.shapeOf = db.prepare(
      "SELECT COUNT(*) AS count, COALESCE(SUM(bytes), 0) AS bytes FROM record_body_parts WHERE record_id = ?",
    );
    // As a BLOB: the part's UTF-8 bytes as a Buffer, ready for the socket (no string round trip).
    this.partOf = db.prepare(
      "SELECT CAST(text AS BLOB) AS bytes FROM record_body_parts WHERE record_id = ? AND part = ?",
    );
  }

  /** Stores `body` in parts for record `recordId`; runs inside the caller's transaction. */
  write(recordId: number | bigint, body: string): void {
    let part = 0;
    for (let start = 0; start < body.length; ) {
      let end = Math.min(body.length, start + BODY_PART_CHARS);
      // Never between the halves of a surrogate pair: each half alone would be stored as U+FFFD.
      const last = body.charCodeAt(end - 1);
      if (end < body.length && last >= 0xd800 && last <= 0xdbff) end--;
      const text = body.slice(start, end);
      this.insert.run(recordId, part++, Buffer.byteLength(text), text);
      start = end;
    }
  }

  /** Stores a body given as its UTF-8 bytes in parts, cut between characters; as `write`. */
  writeBytes(recordId: number | bigint, body: Uint8Array): void {
    let part = 0;
    for (let start = 0; start < body.length; ) {
      let end = Math.min(body.length, start + BODY_PART_BYTES);
      // Never inside a character: back off continuation bytes (10xxxxxx) to where one starts.
      while (end < body.length && end > start && (body[end]! & 0xc0) === 0x80) end--;
      this.insertBytes.run(recordId, part++, end - start, body.subarray(start, end));
      start = end;
    }
  }

  shape(recordId: number): BodyParts {
    return this.shapeOf.get(recordId) as BodyParts;
  }

  /** Part `part` of the record's body as UTF-8 bytes; null when there is no such part. */
  read(recordId: number, part: number): Buffer | null {
    const row = this.partOf.get(recordId, part) as { bytes: Uint8Array } | undefined;
    if (!row) return null;
    // better-sqlite3 gives a Buffer, node:sqlite a Uint8Array: the same bytes either way.
    return Buffer.isBuffer(row.bytes)
      ? row.bytes
      : Buffer.from(row.bytes.buffer, row.bytes.byteOffset, row.bytes.byteLength);
  }
}
