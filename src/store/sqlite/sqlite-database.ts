/**
 * The small, synchronous subset of better-sqlite3's API the SQLite store uses: what both
 * drivers (better-sqlite3 itself, and the `node:sqlite` wrapper) provide. Its own file so the
 * driver choice and the wrapper both depend on it without depending on each other.
 */
export interface SqliteRunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface SqliteStatement<P extends unknown[] = unknown[], R = unknown> {
  run(...params: P): SqliteRunResult;
  get(...params: P): R | undefined;
  all(...params: P): R[];
}

// biome-ignore lint/suspicious/noExplicitAny: mirrors better-sqlite3's own transaction typing
export type SqliteTransaction<F extends (...args: any[]) => any> = {
  (...args: Parameters<F>): ReturnType<F>;
  deferred(...args: Parameters<F>): ReturnType<F>;
  immediate(...args: Parameters<F>): ReturnType<F>;
  exclusive(...args: Parameters<F>): ReturnType<F>;
};

export interface SqliteDatabase {
  /** False once closed. */
  readonly open: boolean;
  prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): SqliteStatement<P, R>;
  exec(sql: string): void;
  /** `pragma("journal_mode = WAL")`: the rows the PRAGMA statement returns. */
  pragma(source: string): unknown[];
  /** better-sqlite3's semantics: BEGIN/COMMIT, ROLLBACK on throw, SAVEPOINTs when nested. */
  // biome-ignore lint/suspicious/noExplicitAny: mirrors better-sqlite3's own transaction typing
  transaction<F extends (...args: any[]) => any>(fn: F): SqliteTransaction<F>;
  close(): void;
}
