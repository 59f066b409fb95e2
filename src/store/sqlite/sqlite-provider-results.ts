import { providerJobOwner } from "../../domain/provider-job.js";
import type { ProviderJobStore, ProviderResult, ProviderResultsWritten } from "../provider-job-store.js";
import { PROVIDER_RESULT_COLUMNS, setProviderResultColumns } from "../provider-result-columns.js";
import type { SqliteStatement } from "./sqlite-database.js";
import type { SqliteShared } from "./sqlite-shared.js";

/**
 * Rows per UPDATE: a statement per record costs about as much again as the row's own write
 * (binding, stepping, resetting, the call into the driver), so results go many to a statement.
 * 11 parameters a row keep a full statement's (5,500) far below SQLite's limit (32,766); ingest's
 * batches of 5,000 fill whole statements, so no other size is prepared but a job's last batch.
 */
const ROWS_PER_STATEMENT = 500;
const PER_ROW = PROVIDER_RESULT_COLUMNS.length;
const VALUES_ROW = `(${PROVIDER_RESULT_COLUMNS.map(() => "?").join(",")})`;

/**
 * One UPDATE for `rows` results, joined to the records by id and fenced by the record being
 * still bound to the provider job (running, leased to `pj:<id>`, its `provider_job_id`): while
 * bound a record's attempt cannot move on, so that fence is the attempt fence of `recordResults`.
 * A retry's end state is decided here as in `recordResults` (sqlite-records.ts): cancelled in a
 * job being cancelled, failed with its attempts used up, else pending. SET expressions read the
 * row as it was. Parameters: now, then 11 per row (id, state, run_at, response_status,
 * response_request_id, response_body, error_code, error_message, input_tokens, output_tokens,
 * latency_ms), then the owner and the provider job's id. Returns the rows written and their state
 * (`returning`), or nothing: see `writeProviderResults` for when a count is enough.
 */
function writeSql(rows: number, returning: boolean): string {
  return `UPDATE records SET
    state = CASE WHEN v.column2 <> 'pending' THEN v.column2
                 WHEN (SELECT status FROM jobs WHERE jobs.id = records.job_id) = 'cancelling' THEN 'cancelled'
                 WHEN attempt - released >= max_attempts THEN 'failed' ELSE 'pending' END,
    run_at = CASE WHEN v.column2 = 'pending' THEN v.column3 ELSE run_at END,
    response_status = v.column4, response_request_id = v.column5, response_body = v.column6,
    error_code = v.column7, error_message = v.column8, input_tokens = v.column9, output_tokens = v.column10,
    finished_at = CASE WHEN v.column2 <> 'pending' OR attempt - released >= max_attempts
                         OR (SELECT status FROM jobs WHERE jobs.id = records.job_id) = 'cancelling'
                       THEN ? ELSE NULL END,
    latency_ms = v.column11, lease_owner = NULL, lease_until = NULL
  FROM (VALUES ${Array.from({ length: rows }, () => VALUES_ROW).join(",")}) AS v
  WHERE records.id = v.column1 AND records.state = 'running' AND records.lease_owner = ?
    AND records.provider_job_id = ?
  ${returning ? "RETURNING records.id AS id, records.job_id AS job_id, records.state AS state" : ""}`;
}

interface WrittenRow {
  id: number;
  job_id: string;
  state: string;
}

interface JobDelta {
  succeeded: number;
  failed: number;
  cancelled: number;
  input: number;
  output: number;
}

/** Thrown inside a savepoint when the fence refused some of a statement's rows. */
const FENCED = new Error("some results were refused by the fence");

/** A statement for each row count, with and without RETURNING: full ones, and the last short one asked for. */
function statements(x: SqliteShared) {
  const made = new Map<string, SqliteStatement<unknown[], WrittenRow>>();
  return (rows: number, returning: boolean): SqliteStatement<unknown[], WrittenRow> => {
    const key = `${rows}:${returning}`;
    let st = made.get(key);
    if (st === undefined) {
      // Full statements stay; of the short ones (a job's last batch, a retry's) only the newest.
      for (const k of made.keys()) if (!k.startsWith(`${ROWS_PER_STATEMENT}:`)) made.delete(k);
      st = x.db.prepare<unknown[], WrittenRow>(writeSql(rows, returning));
      made.set(key, st);
    }
    return st;
  };
}

/** Ingest's result writes on SQLite (ProviderJobStore.writeProviderResults). */
export function sqliteProviderResults(x: SqliteShared): Pick<ProviderJobStore, "writeProviderResults"> {
  const { db, addCounts } = x;
  const statementFor = statements(x);
  const progress = db.prepare(
    "UPDATE provider_jobs SET ingested = ingested + ?, requeued = requeued + ?, updated_at = ? WHERE id = ?",
  );
  const usage = db.prepare(
    `UPDATE provider_job_members SET succeeded = succeeded + ?, input_tokens = input_tokens + ?,
       output_tokens = output_tokens + ? WHERE provider_job_id = ? AND job_id = ?`,
  );
  const members = db.prepare<[string], { job_id: string }>(
    "SELECT job_id FROM provider_job_members WHERE provider_job_id = ? LIMIT 2",
  );
  // Nested in the write's transaction, so a savepoint: a statement the fence cut short is undone.
  const writeAllOrNothing = db.transaction(
    (st: SqliteStatement<unknown[], WrittenRow>, p: unknown[], n: number) => {
      if (st.run(...p).changes !== n) throw FENCED;
    },
  );

  return {
    async writeProviderResults(id, results, now) {
      if (results.length === 0) return { written: 0, requeued: 0, refused: 0 };
      const owner = providerJobOwner(id);
      // Each distinct record's result, the first answer for an id winning (a later one is refused).
      const asked = new Map<number, ProviderResult>();
      const settled: ProviderResult[] = [];
      const retries: ProviderResult[] = [];
      for (const r of results) {
        if (asked.has(r.recordId)) continue;
        asked.set(r.recordId, r);
        (r.outcome.kind === "retry" ? retries : settled).push(r);
      }
      // Not fsynced (synchronous=NORMAL for this one transaction, like a claim): the provider's
      // results file is immutable, so a power cut that drops these rows leaves the provider job in
      // `ingesting` with its progress rolled back to the same point, and ingest writes the same
      // answers again. WAL commits survive in order, and the provider job's move to its end state
      // (moveProviderJob) is an fsynced commit, which makes every batch before it durable. A process
      // crash loses nothing. Each batch's fsync of ~4 MB of WAL was half of ingest's wall time.
      const done = x.unsyncedWrite((): ProviderResultsWritten => {
        const t = new Tally(asked);
        // RETURNING costs about a quarter of a row's write. It is needed only to learn a row's
        // job (a provider job of several Docket jobs), a retry's end state (pending, failed or
        // cancelled, decided in SQL), or which rows the fence refused. A succeeded or failed
        // answer ends in that state, and with one Docket job behind the provider job, a
        // statement that wrote every row it was given needs nothing more.
        const ids = members.all(id);
        const onlyJob = ids.length === 1 ? ids[0]!.job_id : null;
        for (let start = 0; start < settled.length; start += ROWS_PER_STATEMENT) {
          const rows = settled.slice(start, start + ROWS_PER_STATEMENT);
          if (onlyJob === null) {
            t.addRows(run(rows, true));
            continue;
          }
          try {
            writeAllOrNothing(statementFor(rows.length, false), params(rows), rows.length);
            for (const r of rows) t.add(onlyJob, r.outcome.kind === "succeeded" ? "succeeded" : "failed", r);
          } catch (err) {
            if (err !== FENCED) throw err;
            // The fence refused some (undone): written again, learning which.
            t.addRows(run(rows, true));
          }
        }
        for (let start = 0; start < retries.length; start += ROWS_PER_STATEMENT) {
          t.addRows(run(retries.slice(start, start + ROWS_PER_STATEMENT), true));
        }
        for (const [jobId, d] of t.deltas) {
          addCounts(jobId, d);
          // Batch-priced usage: what succeeded here (input/output of other outcomes are null).
          if (d.succeeded > 0) usage.run(d.succeeded, d.input, d.output, id, jobId);
        }
        progress.run(t.written, t.requeued, now, id);
        return { written: t.written, requeued: t.requeued, refused: results.length - t.written };
      });
      // Ingest is a steady stream of results too: its WAL checkpoints (one about every commit
      // of 5,000 answers) go to the checkpoint thread rather than into the next commit.
      x.noteResults(done.written);
      return done;

      /** Each statement's parameters filled in place: now, the rows, the owner, the provider job. */
      function params(rows: readonly ProviderResult[]): unknown[] {
        const p: unknown[] = new Array(rows.length * PER_ROW + 3);
        p[0] = now;
        let at = 1;
        for (const r of rows) at = setProviderResultColumns(p, at, r);
        p[at] = owner;
        p[at + 1] = id;
        return p;
      }
      function run(rows: readonly ProviderResult[], returning: true): WrittenRow[] {
        return statementFor(rows.length, returning).all(...params(rows));
      }
    },
  };
}

/** What one call wrote, per Docket job: the jobs' tallies and the provider job's progress. */
class Tally {
  readonly deltas = new Map<string, JobDelta>();
  written = 0;
  requeued = 0;

  constructor(private readonly asked: ReadonlyMap<number, ProviderResult>) {}

  addRows(rows: readonly WrittenRow[]): void {
    for (const row of rows) this.add(row.job_id, row.state, this.asked.get(row.id)!);
  }

  add(jobId: string, state: string, r: ProviderResult): void {
    this.written++;
    const o = r.outcome;
    if (o.kind === "retry") this.requeued++;
    let d = this.deltas.get(jobId);
    if (!d) {
      d = { succeeded: 0, failed: 0, cancelled: 0, input: 0, output: 0 };
      this.deltas.set(jobId, d);
    }
    if (state === "succeeded") d.succeeded++;
    else if (state === "failed") d.failed++;
    else if (state === "cancelled") d.cancelled++;
    if (o.kind === "succeeded") {
      d.input += o.usage?.inputTokens ?? 0;
      d.output += o.usage?.outputTokens ?? 0;
    }
  }
}
