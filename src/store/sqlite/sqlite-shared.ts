import type { StoredFile } from "../../domain/file.js";
import type { Job, JobKind } from "../../domain/job.js";
import { type JobRow, jobFromRow } from "../rows.js";
import type { SqliteDatabase } from "./sqlite-driver.js";

/**
 * What the SQLite nouns share: the database, the few statements several of them run, and the
 * endpoint and kind of each active job (claims read them per record; finalize and pruning forget them).
 */
export interface SqliteShared {
  readonly db: SqliteDatabase;
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
}

/** What a claimed record carries of its job. */
export interface JobTarget {
  endpoint: string;
  kind: JobKind;
}

export function sqliteShared(db: SqliteDatabase): SqliteShared {
  const insertFile = db.prepare(
    `INSERT INTO files (id, filename, purpose, bytes, blob_key, created_at, expires_at, project_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const getJob = db.prepare<[string], JobRow>("SELECT * FROM jobs WHERE id = ?");
  const addCounts = db.prepare(
    `UPDATE jobs SET succeeded = succeeded + ?, failed = failed + ?, cancelled = cancelled + ?,
       expired = expired + ?, input_tokens = input_tokens + ?, output_tokens = output_tokens + ? WHERE id = ?`,
  );
  return {
    db,
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
