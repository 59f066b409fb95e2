/**
 * Issue 17 ("memory for a line bounded"): large record bodies live in parts of at most
 * BODY_PART_CHARS characters (src/store/sqlite/sqlite-body-parts.ts), their record's `body`
 * left empty. SQLite rewrites a whole row on every UPDATE (claim, lease renewal, result), so a
 * 100 MB body inside `records` was read, copied and written again several times per attempt;
 * in its own table it is written once and streamed to the backend a part at a time. Deleting
 * the record (failed validation, retention) deletes its parts.
 */
export const migration0006 = `
CREATE TABLE record_body_parts (
  record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
  part INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY (record_id, part)
);
`;
