import type { RecordState } from "../domain/record.js";
import type { JobFilter, RecordSample, TruncatedText } from "./insight-store.js";
import { num } from "./rows.js";

/**
 * The jobs list's WHERE clause, built with only the filters given so each engine's planner can
 * use the matching index (jobs_status, jobs_model, jobs_format). `p(i)` writes the engine's
 * placeholder for the i-th parameter (1-based): `?` on SQLite, `$i` on PostgreSQL.
 */
export function jobFilterWhere(
  filter: JobFilter & { after?: string },
  p: (i: number) => string,
): { sql: string; params: unknown[] } {
  const terms: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (ph: string) => string, value: unknown): void => {
    params.push(value);
    terms.push(sql(p(params.length)));
  };
  if (filter.after !== undefined) add((ph) => `seq < (SELECT seq FROM jobs WHERE id = ${ph})`, filter.after);
  if (filter.status !== undefined) add((ph) => `status = ${ph}`, filter.status);
  if (filter.model !== undefined) add((ph) => `model = ${ph}`, filter.model);
  if (filter.kind !== undefined) add((ph) => `kind = ${ph}`, filter.kind);
  if (filter.format !== undefined) add((ph) => `format = ${ph}`, filter.format);
  if (filter.projectId !== undefined) add((ph) => `project_id = ${ph}`, filter.projectId);
  return { sql: terms.length === 0 ? "" : `WHERE ${terms.join(" AND ")}`, params };
}

/** A sampled record as both engines select it (bodies already cut by the SQL). */
export interface SampleRow {
  custom_id: string;
  position: number | string;
  line: number | string;
  state: string;
  attempts: number | string;
  error_code: string | null;
  error_message: string | null;
  body_text: string | null;
  body_bytes: number | string | null;
  body_chars: number | string | null;
  response_status: number | string | null;
  response_text: string | null;
  response_bytes: number | string | null;
  response_chars: number | string | null;
}

export function sampleFromRow(r: SampleRow): RecordSample {
  return {
    customId: r.custom_id,
    position: num(r.position),
    line: num(r.line),
    state: r.state as RecordState,
    attempts: Math.max(0, num(r.attempts)),
    errorCode: r.error_code,
    errorMessage: r.error_message,
    requestBody: text(r.body_text, r.body_bytes, r.body_chars) ?? { text: "", bytes: 0, chars: 0 },
    responseStatus: r.response_status === null ? null : num(r.response_status),
    responseBody: text(r.response_text, r.response_bytes, r.response_chars),
  };
}

function text(
  t: string | null,
  bytes: number | string | null,
  chars: number | string | null,
): TruncatedText | null {
  if (t === null) return null;
  return {
    text: t,
    bytes: bytes === null ? Buffer.byteLength(t) : num(bytes),
    chars: chars === null ? [...t].length : num(chars),
  };
}
