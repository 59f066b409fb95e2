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
 * latency_ms), then the owner and the provider job's id. Returns the rows written and their state.
 */
function writeSql(rows: number): string {
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
  RETURNING records.id AS id, records.job_id AS job_id, records.state AS state`;
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

/** Ingest's result writes on SQLite (ProviderJobStore.writeProviderResults). */
export function sqliteProviderResults(x: SqliteShared): Pick<ProviderJobStore, "writeProviderResults"> {
  const { db, addCounts } = x;
  const full = db.prepare<unknown[], WrittenRow>(writeSql(ROWS_PER_STATEMENT));
  // The last size prepared for a short statement: a provider job's last batch, or a retry's.
  let short: { rows: number; statement: SqliteStatement<unknown[], WrittenRow> } | null = null;
  const statementFor = (rows: number): SqliteStatement<unknown[], WrittenRow> => {
    if (rows === ROWS_PER_STATEMENT) return full;
    if (short?.rows !== rows) short = { rows, statement: db.prepare<unknown[], WrittenRow>(writeSql(rows)) };
    return short.statement;
  };
  const progress = db.prepare(
    "UPDATE provider_jobs SET ingested = ingested + ?, requeued = requeued + ?, updated_at = ? WHERE id = ?",
  );
  const usage = db.prepare(
    `UPDATE provider_job_members SET succeeded = succeeded + ?, input_tokens = input_tokens + ?,
       output_tokens = output_tokens + ? WHERE provider_job_id = ? AND job_id = ?`,
  );

  return {
    async writeProviderResults(id, results, now) {
      if (results.length === 0) return { written: 0, requeued: 0, refused: 0 };
      const owner = providerJobOwner(id);
      // Each distinct record's result, the first answer for an id winning (a later one is refused).
      const asked = new Map<number, ProviderResult>();
      const distinct: ProviderResult[] = [];
      for (const r of results) {
        if (asked.has(r.recordId)) continue;
        asked.set(r.recordId, r);
        distinct.push(r);
      }
      // Not fsynced (synchronous=NORMAL for this one transaction, like a claim): the provider's
      // results file is immutable, so a power cut that drops these rows leaves the provider job in
      // `ingesting` with its progress rolled back to the same point, and ingest writes the same
      // answers again. WAL commits survive in order, and the provider job's move to its end state
      // (moveProviderJob) is an fsynced commit, which makes every batch before it durable. A process
      // crash loses nothing. Each batch's fsync of ~4 MB of WAL was half of ingest's wall time.
      const done = x.leaseWrite((): ProviderResultsWritten => {
        const written: WrittenRow[] = [];
        for (let start = 0; start < distinct.length; start += ROWS_PER_STATEMENT) {
          const n = Math.min(ROWS_PER_STATEMENT, distinct.length - start);
          // Each statement's parameters are filled in place: now, the rows, the owner, the provider job.
          const params: unknown[] = new Array(n * PER_ROW + 3);
          params[0] = now;
          let at = 1;
          for (let i = start; i < start + n; i++) at = setProviderResultColumns(params, at, distinct[i]!);
          params[at] = owner;
          params[at + 1] = id;
          for (const row of statementFor(n).all(...params)) written.push(row);
        }
        return tally(written);
      });
      // Ingest is a steady stream of results too: its WAL checkpoints (one about every commit
      // of 5,000 answers) go to the checkpoint thread rather than into the next commit.
      x.noteResults(done.written);
      return done;

      function tally(written: WrittenRow[]): ProviderResultsWritten {
        const deltas = new Map<string, JobDelta>();
        let requeued = 0;
        for (const row of written) {
          const o = asked.get(row.id)!.outcome;
          if (o.kind === "retry") requeued++;
          let d = deltas.get(row.job_id);
          if (!d) {
            d = { succeeded: 0, failed: 0, cancelled: 0, input: 0, output: 0 };
            deltas.set(row.job_id, d);
          }
          if (row.state === "succeeded") d.succeeded++;
          else if (row.state === "failed") d.failed++;
          else if (row.state === "cancelled") d.cancelled++;
          if (o.kind === "succeeded") {
            d.input += o.usage?.inputTokens ?? 0;
            d.output += o.usage?.outputTokens ?? 0;
          }
        }
        for (const [jobId, d] of deltas) {
          addCounts(jobId, d);
          // Batch-priced usage: what succeeded here (input/output of other outcomes are null).
          if (d.succeeded > 0) usage.run(d.succeeded, d.input, d.output, id, jobId);
        }
        progress.run(written.length, requeued, now, id);
        return { written: written.length, requeued, refused: results.length - written.length };
      }
    },
  };
}
