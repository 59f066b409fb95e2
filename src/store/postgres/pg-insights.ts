import type pg from "pg";
import type { JobStatus } from "../../domain/job.js";
import { jobFilterWhere, type SampleRow, sampleFromRow } from "../insight-rows.js";
import type { InsightStore } from "../insight-store.js";
import { type DeliveryRow, deliveryFromRow } from "../invocation-rows.js";
import { type JobRow, jobFromRow, num } from "../rows.js";
import {
  ACTIVE_JOBS_SQL,
  FAILED_BY_CODE_SQL,
  FINISHED_BUCKETS_SQL,
  FINISHED_SINCE_SQL,
  RECENT_LATENCIES_SQL,
  RUNNING_RECORDS_SQL,
  SAMPLE_RECORDS_SQL,
} from "./insights-sql.js";
import { query } from "./pg-connection.js";

type Row<T> = T & pg.QueryResultRow;
const placeholder = (i: number): string => `$${i}`;

/** The dashboard's read queries on PostgreSQL (InsightStore); each one bounded by an index and a limit. */
export function pgInsights(pool: pg.Pool): InsightStore {
  return {
    async listJobsFiltered(q) {
      const where = jobFilterWhere(q, placeholder);
      const sql = `SELECT * FROM jobs ${where.sql} ORDER BY seq DESC LIMIT $${where.params.length + 1}`;
      return (await query<Row<JobRow>>(pool, sql, [...where.params, q.limit])).map(jobFromRow);
    },

    async countJobsByStatus(filter) {
      const where = jobFilterWhere({ ...filter, status: undefined }, placeholder);
      const rows = await query<Row<{ status: JobStatus; n: string }>>(
        pool,
        `SELECT status, count(*) AS n FROM jobs ${where.sql} GROUP BY status`,
        where.params,
      );
      return Object.fromEntries(rows.map((r) => [r.status, num(r.n)]));
    },

    async listActiveJobs(limit, projectId) {
      return (await query<Row<JobRow>>(pool, ACTIVE_JOBS_SQL, [limit, projectId ?? null])).map(jobFromRow);
    },

    async countRunningRecords(jobId) {
      const rows = await query<Row<{ n: string }>>(pool, RUNNING_RECORDS_SQL, [jobId]);
      return num(rows[0]?.n ?? 0);
    },

    async finishedBuckets(jobId, from, to, intervalMs) {
      const rows = await query<Row<{ start: string; succeeded: string; n: string }>>(
        pool,
        FINISHED_BUCKETS_SQL,
        [jobId, intervalMs, from, to],
      );
      return rows.map((r) => ({
        start: num(r.start),
        succeeded: num(r.succeeded),
        other: num(r.n) - num(r.succeeded),
      }));
    },

    async countFinishedSince(jobId, since) {
      const rows = await query<Row<{ n: string }>>(pool, FINISHED_SINCE_SQL, [jobId, since]);
      return num(rows[0]?.n ?? 0);
    },

    async recentLatencies(jobId, limit) {
      const rows = await query<Row<{ latency_ms: string | number }>>(pool, RECENT_LATENCIES_SQL, [
        jobId,
        limit,
      ]);
      return rows.map((r) => num(r.latency_ms));
    },

    async failedByCode(jobId, limit) {
      const rows = await query<Row<{ code: string | null; n: string }>>(pool, FAILED_BY_CODE_SQL, [
        jobId,
        limit,
      ]);
      return rows.map((r) => ({ code: r.code, count: num(r.n) }));
    },

    async sampleRecords(jobId, o) {
      const rows = await query<Row<SampleRow>>(pool, SAMPLE_RECORDS_SQL, [
        o.maxChars,
        jobId,
        o.state,
        o.errorCode ?? null,
        o.limit,
        o.errorCode === null,
      ]);
      return rows.map(sampleFromRow);
    },

    async listDeliveries(q) {
      const terms: string[] = [];
      const params: unknown[] = [];
      if (q.jobId !== undefined) {
        params.push(q.jobId);
        terms.push(`job_id = $${params.length}`);
      }
      if (q.projectId !== undefined) {
        params.push(q.projectId);
        terms.push(`job_id IN (SELECT id FROM jobs WHERE project_id = $${params.length})`);
      }
      if (q.after !== undefined) {
        params.push(q.after);
        terms.push(`seq < (SELECT seq FROM webhook_deliveries WHERE id = $${params.length})`);
      }
      params.push(q.limit);
      const where = terms.length === 0 ? "" : `WHERE ${terms.join(" AND ")}`;
      const sql = `SELECT * FROM webhook_deliveries ${where} ORDER BY seq DESC LIMIT $${params.length}`;
      return (await query<Row<DeliveryRow>>(pool, sql, params)).map(deliveryFromRow);
    },
  };
}
