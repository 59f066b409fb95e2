import type {
  SqliteDatabase,
  SqliteRunResult,
  SqliteStatement,
  SqliteTransaction,
} from "./sqlite-database.js";

/** The part of `node:sqlite` used here (typed locally: @types/node stays at Node 20's API). */
export interface NodeSqliteModule {
  DatabaseSync: new (path: string, options?: Record<string, unknown>) => NodeDatabaseSync;
}

interface NodeStatementSync {
  run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

interface NodeDatabaseSync {
  readonly isOpen: boolean;
  readonly isTransaction: boolean;
  prepare(sql: string): NodeStatementSync;
  exec(sql: string): void;
  close(): void;
}

/** better-sqlite3 defaults that differ from node:sqlite's, so both engines behave alike. */
const MATCH_BETTER_SQLITE3 = [
  "cache_size = -16000", // better-sqlite3 is built with a 16 MB page cache; SQLite's default is 2 MB
  "foreign_keys = ON",
];

/**
 * better-sqlite3's API over Node's built-in `DatabaseSync` (Node 24+): the same statements,
 * the same transaction wrapper (BEGIN … COMMIT, ROLLBACK on throw, SAVEPOINTs when nested).
 */
export class NodeSqliteDatabase implements SqliteDatabase {
  private readonly db: NodeDatabaseSync;
  private readonly tx: Record<string, NodeStatementSync> = {};

  constructor(mod: NodeSqliteModule, path: string, timeoutMs: number) {
    // Double-quoted strings stay identifiers (better-sqlite3 is built with SQLITE_DQS=0).
    this.db = new mod.DatabaseSync(path, { enableDoubleQuotedStringLiterals: false, timeout: timeoutMs });
    try {
      // The first statement reads the schema, so it can meet a lock or a file that is not SQLite.
      for (const p of MATCH_BETTER_SQLITE3) this.db.exec(`PRAGMA ${p}`);
    } catch (err) {
      this.db.close();
      throw err;
    }
  }

  get open(): boolean {
    return this.db.isOpen;
  }

  prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): SqliteStatement<P, R> {
    return new NodeStatement(this.db.prepare(sql)) as unknown as SqliteStatement<P, R>;
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  pragma(source: string): unknown[] {
    return this.db.prepare(`PRAGMA ${source}`).all();
  }

  // biome-ignore lint/suspicious/noExplicitAny: mirrors better-sqlite3's own transaction typing
  transaction<F extends (...args: any[]) => any>(fn: F): SqliteTransaction<F> {
    const wrap =
      (begin: string) =>
      (...args: Parameters<F>): ReturnType<F> =>
        this.runTransaction(begin, fn, args);
    return Object.assign(wrap("BEGIN"), {
      deferred: wrap("BEGIN DEFERRED"),
      immediate: wrap("BEGIN IMMEDIATE"),
      exclusive: wrap("BEGIN EXCLUSIVE"),
    });
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  // biome-ignore lint/suspicious/noExplicitAny: see transaction()
  private runTransaction<F extends (...args: any[]) => any>(
    begin: string,
    fn: F,
    args: Parameters<F>,
  ): ReturnType<F> {
    const nested = this.db.isTransaction;
    const [before, after, undo] = nested
      ? ['SAVEPOINT "docket_tx"', 'RELEASE "docket_tx"', 'ROLLBACK TO "docket_tx"']
      : [begin, "COMMIT", "ROLLBACK"];
    this.statement(before).run();
    try {
      const result = fn(...args);
      if (result && typeof (result as { then?: unknown }).then === "function") {
        throw new TypeError("Transaction function cannot return a promise");
      }
      this.statement(after).run();
      return result;
    } catch (err) {
      // SQLite may already have rolled back on its own (e.g. SQLITE_FULL); only undo if not.
      if (this.db.isTransaction) {
        this.statement(undo).run();
        if (nested) this.statement(after).run();
      }
      throw err;
    }
  }

  /** Transaction control statements, prepared once (parsing them per call costs measurably). */
  private statement(sql: string): NodeStatementSync {
    let s = this.tx[sql];
    if (!s) {
      s = this.db.prepare(sql);
      this.tx[sql] = s;
    }
    return s;
  }
}

/** better-sqlite3 binds `undefined` as NULL; node:sqlite refuses it. Keep the former. */
class NodeStatement {
  constructor(private readonly s: NodeStatementSync) {}

  run(...params: unknown[]): SqliteRunResult {
    return this.s.run(...bindable(params)) as SqliteRunResult;
  }

  get(...params: unknown[]): unknown {
    return this.s.get(...bindable(params));
  }

  all(...params: unknown[]): unknown[] {
    return this.s.all(...bindable(params));
  }
}

function bindable(params: unknown[]): unknown[] {
  for (let i = 0; i < params.length; i++) {
    if (params[i] === undefined) return params.map((p) => (p === undefined ? null : p));
  }
  return params;
}
