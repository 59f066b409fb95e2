import type { StoredFile } from "../../domain/file.js";
import type { Job, JobKind } from "../../domain/job.js";
import { type JobRow, jobFromRow } from "../rows.js";
import { WalCheckpointer } from "./sqlite-checkpointer.js";
import type { SqliteDatabase, SqliteStatement } from "./sqlite-driver.js";

/**
 * What the SQLite nouns share: the database, the few statements several of them run, and the
 * endpoint and kind of each active job (claims read them per record; finalize and pruning forget them).
 */
export interface SqliteShared {
  readonly db: SqliteDatabase;
  /**
   * `db.prepare(sql)` for a statement a method runs each time it is called, prepared on its first
   * run and kept: preparing costs 25–85 µs (the jobs table's `SELECT *` the most), more than
   * running most of these. Only run/get/all are used on it (no modes, no iterate), so one
   * statement serves every caller. At most STATEMENTS_KEPT are kept.
   */
  statement<P extends unknown[] = unknown[], R = unknown>(sql: string): SqliteStatement<P, R>;
  getJob(id: string): Job | undefined;
  insertFile(f: StoredFile): void;
  /** Adds to a job's counters: succeeded, failed, cancelled, expired, input and output tokens. */
  addCounts(
    jobId: string,
    d: {
      succeeded?: number;
      failed?: number;
      cancelled?: number;
      expired?: number;
      input?: number;
      output?: number;
    },
  ): void;
  readonly jobTargets: Map<string, JobTarget>;
  /**
   * Runs `fn` in an immediate transaction whose commit is not fsynced, for writes whose loss to
   * a power cut only repeats work: taking or extending a lease (claims, renewals; the record
   * runs again, which calls allow: at-least-once) and writing a provider's results (read again
   * from the provider's immutable file: sqlite-provider-results.ts). WAL commits survive in order: the
   * next fsynced commit (an outcome, a job change) makes this one durable too, so nothing that
   * depends on it can outlive it. A process crash loses nothing (the WAL is in the OS's cache).
   * Must not be called inside another transaction (SQLite refuses to change the setting there).
   */
  unsyncedWrite<T>(fn: () => T): T;
  /** Results were written: a steady stream of them moves checkpoints off the event loop. */
  noteResults(count: number): void;
  /** Ends the checkpoint thread, if one runs; call before closing the database. */
  stopCheckpoints(): Promise<void>;
}

/** What a claimed record carries of its job. */
export interface JobTarget {
  endpoint: string;
  kind: JobKind;
}

/** Statements `statement` keeps: every per-call SQL text of the store, with room to spare. */
const STATEMENTS_KEPT = 256;

/** Results written before the checkpoint thread starts: a few batches of a real run, not a test's handful. */
const RESULTS_BEFORE_CHECKPOINT_THREAD = 2000;

/** `path`: the database file, for the checkpoint thread's own connection (none for `:memory:`). */
export function sqliteShared(db: SqliteDatabase, path = ":memory:"): SqliteShared {
  const insertFile = db.prepare(
    `INSERT INTO files (id, filename, purpose, bytes, blob_key, created_at, expires_at, project_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const getJob = db.prepare<[string], JobRow>("SELECT * FROM jobs WHERE id = ?");
  const addCounts = db.prepare(
    `UPDATE jobs SET succeeded = succeeded + ?, failed = failed + ?, cancelled = cancelled + ?,
       expired = expired + ?, input_tokens = input_tokens + ?, output_tokens = output_tokens + ? WHERE id = ?`,
  );
  const unsyncedWrite = unsyncedWrites(db);
  const checkpointer = new WalCheckpointer(db, path);
  const kept = new Map<string, SqliteStatement>();
  let results = 0;
  return {
    db,
    statement<P extends unknown[] = unknown[], R = unknown>(sql: string) {
      let st = kept.get(sql);
      if (st === undefined) {
        // The oldest goes first (a map keeps insertion order); never more than the bound.
        if (kept.size >= STATEMENTS_KEPT) kept.delete(kept.keys().next().value!);
        st = db.prepare(sql);
        kept.set(sql, st);
      }
      return st as SqliteStatement<P, R>;
    },
    unsyncedWrite,
    noteResults(count) {
      results += count;
      if (results >= RESULTS_BEFORE_CHECKPOINT_THREAD) checkpointer.start();
    },
    stopCheckpoints: () => checkpointer.stop(),
    getJob(id) {
      const row = getJob.get(id);
      return row && jobFromRow(row);
    },
    insertFile(f) {
      insertFile.run(f.id, f.filename, f.purpose, f.bytes, f.blobKey, f.createdAt, f.expiresAt, f.projectId);
    },
    addCounts(jobId, d) {
      addCounts.run(
        d.succeeded ?? 0,
        d.failed ?? 0,
        d.cancelled ?? 0,
        d.expired ?? 0,
        d.input ?? 0,
        d.output ?? 0,
        jobId,
      );
    },
    jobTargets: new Map(),
  };
}

/** SQLite's `synchronous` levels above NORMAL (FULL = 2, EXTRA = 3) fsync the WAL at every commit. */
const NORMAL = 1;

function unsyncedWrites(db: SqliteDatabase): <T>(fn: () => T) => T {
  const rows = db.pragma("synchronous") as Array<{ synchronous?: number }>;
  const level = rows[0]?.synchronous ?? NORMAL;
  if (level <= NORMAL) return (fn) => db.transaction(fn).immediate();
  // Not prepared statements: SQLite applies this pragma while compiling it, so running a
  // prepared one again would change nothing (a few microseconds of parsing each time).
  return (fn) => {
    db.exec(`PRAGMA synchronous = ${NORMAL}`);
    try {
      return db.transaction(fn).immediate();
    } finally {
      db.exec(`PRAGMA synchronous = ${level}`);
    }
  };
}
