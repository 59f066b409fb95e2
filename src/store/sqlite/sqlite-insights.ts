import type { JobStatus } from "../../domain/job.js";
import { ENDED_JOB_STATUSES } from "../../domain/job-transitions.js";
import { jobFilterWhere, type SampleRow, sampleFromRow } from "../insight-rows.js";
import type { InsightStore } from "../insight-store.js";
import { type DeliveryRow, deliveryFromRow } from "../invocation-rows.js";
import { type JobRow, jobFromRow, num } from "../rows.js";
import { sqlList } from "../sql-list.js";
import type { SqliteDatabase } from "./sqlite-driver.js";

const placeholder = (): string => "?";

/**
 * The sampled record's columns, bodies cut to ?1 characters in SQL (a huge body is never read
 * whole into JavaScript). A body stored in parts (migration 0006) shows its first part.
 */
const SAMPLE_COLUMNS = `
  r.custom_id, r.position, r.line, r.state, r.attempt - r.released AS attempts, r.error_code, r.error_message,
  CASE WHEN r.body <> '' THEN substr(r.body, 1, ?)
       ELSE COALESCE((SELECT substr(p.text, 1, ?) FROM record_body_parts p WHERE p.record_id = r.id AND p.part = 0), '')
  END AS body_text,
  CASE WHEN r.body <> '' THEN length(CAST(r.body AS BLOB))
       ELSE COALESCE((SELECT SUM(p.bytes) FROM record_body_parts p WHERE p.record_id = r.id), 0)
  END AS body_bytes,
  CASE WHEN r.body <> '' THEN length(r.body)
       ELSE COALESCE((SELECT SUM(length(p.text)) FROM record_body_parts p WHERE p.record_id = r.id), 0)
  END AS body_chars,
  r.response_status, substr(r.response_body, 1, ?) AS response_text,
  length(CAST(r.response_body AS BLOB)) AS response_bytes, length(r.response_body) AS response_chars`;

/** The dashboard's read queries on SQLite (InsightStore); each one bounded by an index and a limit. */
export function sqliteInsights(db: SqliteDatabase): InsightStore {
  const s = {
    active: db.prepare<[string | null, string | null, number], JobRow>(
      `SELECT * FROM jobs WHERE status NOT IN (${sqlList(ENDED_JOB_STATUSES)})
         AND (? IS NULL OR project_id = ?) ORDER BY seq DESC LIMIT ?`,
    ),
    running: db.prepare<[string], { n: number }>(
      "SELECT COUNT(*) AS n FROM records WHERE job_id = ? AND state = 'running'",
    ),
    buckets: db.prepare<
      [number, number, string, number, number],
      { start: number; succeeded: number; n: number }
    >(
      `SELECT (finished_at / CAST(? AS INTEGER)) * CAST(? AS INTEGER) AS start, SUM(state = 'succeeded') AS succeeded, COUNT(*) AS n
       FROM records WHERE job_id = ? AND finished_at >= ? AND finished_at < ?
       GROUP BY start ORDER BY start`,
    ),
    finishedSince: db.prepare<[string, number], { n: number }>(
      "SELECT COUNT(*) AS n FROM records WHERE job_id = ? AND finished_at >= ?",
    ),
    latencies: db.prepare<[string, number], { latency_ms: number }>(
      `SELECT latency_ms FROM records WHERE job_id = ? AND finished_at IS NOT NULL AND latency_ms IS NOT NULL
       ORDER BY finished_at DESC LIMIT ?`,
    ),
    failedByCode: db.prepare<[string, number], { code: string | null; n: number }>(
      `SELECT error_code AS code, COUNT(*) AS n FROM records WHERE job_id = ? AND state = 'failed'
       GROUP BY error_code ORDER BY n DESC, code LIMIT ?`,
    ),
  };

  return {
    async listJobsFiltered(q) {
      const where = jobFilterWhere(q, placeholder);
      const rows = db
        .prepare(`SELECT * FROM jobs ${where.sql} ORDER BY seq DESC LIMIT ?`)
        .all(...where.params, q.limit) as JobRow[];
      return rows.map(jobFromRow);
    },

    async countJobsByStatus(filter) {
      const where = jobFilterWhere({ ...filter, status: undefined }, placeholder);
      const rows = db
        .prepare(`SELECT status, COUNT(*) AS n FROM jobs ${where.sql} GROUP BY status`)
        .all(...where.params) as Array<{ status: JobStatus; n: number }>;
      return Object.fromEntries(rows.map((r) => [r.status, num(r.n)]));
    },

    async listActiveJobs(limit, projectId) {
      return s.active.all(projectId ?? null, projectId ?? null, limit).map(jobFromRow);
    },

    async countRunningRecords(jobId) {
      return num(s.running.get(jobId)?.n ?? 0);
    },

    async finishedBuckets(jobId, from, to, intervalMs) {
      return s.buckets.all(intervalMs, intervalMs, jobId, from, to).map((r) => ({
        start: num(r.start),
        succeeded: num(r.succeeded),
        other: num(r.n) - num(r.succeeded),
      }));
    },

    async countFinishedSince(jobId, since) {
      return num(s.finishedSince.get(jobId, since)?.n ?? 0);
    },

    async recentLatencies(jobId, limit) {
      return s.latencies.all(jobId, limit).map((r) => num(r.latency_ms));
    },

    async failedByCode(jobId, limit) {
      return s.failedByCode.all(jobId, limit).map((r) => ({ code: r.code, count: num(r.n) }));
    },

    async sampleRecords(jobId, o) {
      const params: unknown[] = [o.maxChars, o.maxChars, o.maxChars, jobId, o.state];
      let codeTerm = "";
      if (o.errorCode === null) codeTerm = "AND r.error_code IS NULL";
      else if (o.errorCode !== undefined) {
        codeTerm = "AND r.error_code = ?";
        params.push(o.errorCode);
      }
      params.push(o.limit);
      const rows = db
        .prepare(
          `SELECT ${SAMPLE_COLUMNS} FROM records r
           WHERE r.job_id = ? AND r.state = ? ${codeTerm} ORDER BY r.id LIMIT ?`,
        )
        .all(...params) as SampleRow[];
      return rows.map(sampleFromRow);
    },

    async listDeliveries(q) {
      const terms: string[] = [];
      const params: unknown[] = [];
      if (q.jobId !== undefined) {
        terms.push("job_id = ?");
        params.push(q.jobId);
      }
      if (q.projectId !== undefined) {
        terms.push("job_id IN (SELECT id FROM jobs WHERE project_id = ?)");
        params.push(q.projectId);
      }
      if (q.after !== undefined) {
        terms.push("seq < (SELECT seq FROM webhook_deliveries WHERE id = ?)");
        params.push(q.after);
      }
      const where = terms.length === 0 ? "" : `WHERE ${terms.join(" AND ")}`;
      const rows = db
        .prepare(`SELECT * FROM webhook_deliveries ${where} ORDER BY seq DESC LIMIT ?`)
        .all(...params, q.limit) as DeliveryRow[];
      return rows.map(deliveryFromRow);
    },
  };
}
