import type { AttemptResult } from "../../domain/record.js";
import { outcomeWrite } from "../outcome-write.js";
import {
  JOB_COUNTS_SET_SQL,
  OUTCOME_VALUE_COLUMNS,
  outcomeSetSql,
  PER_JOB_TALLY_SQL,
} from "./outcome-set-sql.js";

/**
 * Writes many attempt outcomes and the job counters they change, in one statement: one round
 * trip and one commit for a whole batch of acknowledgements.
 *
 * Parameters (arrays are parallel, one element per outcome): $1 ids bigint[], $2 attempts int[],
 * $3 states text[] (succeeded | failed | pending), $4 run_at bigint[], $5 response_status int[],
 * $6 response_request_id text[], $7 response_body text[], $8 error_code text[],
 * $9 error_message text[], $10 input_tokens bigint[], $11 output_tokens bigint[], $12 latency_ms int[],
 * $13 now.
 * Returns: the ids written; an id not returned was refused (not the record's running attempt).
 *
 * A retry past the record's attempt budget becomes a final failure in the same statement, and a
 * retry in a job being cancelled ends the record cancelled (a worker that had not yet heard of
 * the cancel must not put it back to pending: the job would stay cancelling until it expired).
 * Records are written (and locked) before jobs, as everywhere in this engine, and job rows are
 * fed to the update in id order, which the usual nested-loop plan keeps; should two concurrent
 * acknowledgements spanning the same jobs still deadlock, the loser is retried (pg-connection.ts).
 * Retries alone (no final outcome) leave the job row untouched, so they never wait on it.
 */
export const RECORD_RESULTS_SQL = `
WITH v AS (
  SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::bigint[], $5::int[], $6::text[], $7::text[],
                       $8::text[], $9::text[], $10::bigint[], $11::bigint[], $12::int[])
    AS v(id, attempt, ${OUTCOME_VALUE_COLUMNS.join(", ")})
),
done AS (
  UPDATE records r SET
    state = CASE WHEN v.state = 'pending' AND j.status = 'cancelling' THEN 'cancelled'
                 WHEN v.state = 'pending' AND r.attempt - r.released >= r.max_attempts THEN 'failed'
                 ELSE v.state END,
    ${outcomeSetSql("$13")}
  FROM v, jobs j
  WHERE r.id = v.id AND r.attempt = v.attempt AND r.state = 'running' AND j.id = r.job_id
  RETURNING r.id, r.job_id, r.state, v.input_tokens, v.output_tokens
),
counted AS (
  UPDATE jobs j SET
    ${JOB_COUNTS_SET_SQL}
  FROM (
    ${PER_JOB_TALLY_SQL}
    HAVING count(*) FILTER (WHERE state IN ('succeeded', 'failed', 'cancelled')) > 0
    ORDER BY job_id
  ) d
  WHERE j.id = d.job_id
)
SELECT id FROM done
`;

export function recordResultsParams(results: AttemptResult[], now: number): unknown[] {
  const cols: unknown[][] = Array.from(
    { length: 2 + OUTCOME_VALUE_COLUMNS.length },
    () => new Array(results.length),
  );
  results.forEach((result, i) => {
    const w = outcomeWrite(result, now);
    const row = [
      result.recordId,
      result.attempt,
      w.state,
      w.runAt,
      w.statusCode,
      w.requestId,
      w.body,
      w.errorCode,
      w.errorMessage,
      w.inputTokens,
      w.outputTokens,
      w.latencyMs,
    ];
    row.forEach((value, c) => {
      cols[c]![i] = value;
    });
  });
  return [...cols, now];
}

/** Ids not written, in input order; a duplicate of an id in the same batch counts as refused. */
export function refusedIds(results: AttemptResult[], written: Array<{ id: number }>): number[] {
  const left = new Map<number, number>();
  for (const { id } of written) left.set(id, (left.get(id) ?? 0) + 1);
  const refused: number[] = [];
  for (const r of results) {
    const n = left.get(r.recordId) ?? 0;
    if (n > 0) left.set(r.recordId, n - 1);
    else refused.push(r.recordId);
  }
  return refused;
}
