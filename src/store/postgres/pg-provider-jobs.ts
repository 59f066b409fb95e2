import type pg from "pg";
import { isTerminalProviderJob, providerJobOwner } from "../../domain/provider-job.js";
import { BOUND_LEASE_UNTIL, type ProviderJobRow, providerJobFromRow } from "../provider-job-rows.js";
import type { ProviderJobStore } from "../provider-job-store.js";
import { jobKindOf, num } from "../rows.js";
import { sqlList } from "../sql-list.js";
import { query, transaction } from "./pg-connection.js";
import {
  PROVIDER_RESULTS_PLAN,
  PROVIDER_RESULTS_SQL,
  providerResultsParams,
} from "./provider-results-sql.js";

type Row<T> = T & pg.QueryResultRow;

/**
 * Binds in one statement: the records still leased to the provider job's owner at the attempt
 * claimed get its id and a lease that never lapses; their count per Docket job is returned.
 */
const BIND_SQL = `
WITH bound AS (
  UPDATE records r SET provider_job_id = $1, lease_until = $2
  FROM unnest($3::bigint[], $4::int[]) AS h(id, attempt)
  WHERE r.id = h.id AND r.attempt = h.attempt AND r.state = 'running' AND r.lease_owner = $5
    AND EXISTS (SELECT 1 FROM provider_jobs p WHERE p.id = $1 AND p.state = 'packing')
  RETURNING r.job_id
)
SELECT job_id, count(*) AS n FROM bound GROUP BY job_id ORDER BY job_id
`;

/** Provider jobs on PostgreSQL (ProviderJobStore, docs/provider-batch.md). */
export function pgProviderJobs(pool: pg.Pool): ProviderJobStore {
  return {
    async createProviderJob(j) {
      await query(
        pool,
        `INSERT INTO provider_jobs (id, route, model, endpoint, state, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'packing', $5, $5)`,
        [j.id, j.route, j.model, j.endpoint, j.now],
      );
    },

    async bindProviderJobRecords(id, held, sizes) {
      if (held.length === 0) return 0;
      return transaction(pool, async (c) => {
        const { rows } = await c.query<{ job_id: string; n: string | number }>(BIND_SQL, [
          id,
          BOUND_LEASE_UNTIL,
          held.map((h) => h.id),
          held.map((h) => h.attempt),
          providerJobOwner(id),
        ]);
        let bound = 0;
        for (const r of rows) {
          const n = num(r.n);
          bound += n;
          await c.query(
            `INSERT INTO provider_job_members (provider_job_id, job_id, records) VALUES ($1, $2, $3)
             ON CONFLICT (provider_job_id, job_id) DO UPDATE
             SET records = provider_job_members.records + excluded.records`,
            [id, r.job_id, n],
          );
        }
        await c.query(
          `UPDATE provider_jobs SET records = records + $1, bytes = bytes + $2,
             estimated_tokens = estimated_tokens + $3 WHERE id = $4`,
          [bound, sizes.bytes, sizes.estimatedTokens, id],
        );
        return bound;
      });
    },

    async moveProviderJob(id, from, to, now, learnt) {
      const rows = await query(
        pool,
        `UPDATE provider_jobs SET state = $1, updated_at = $2,
           provider_job_id = COALESCE($3, provider_job_id), error = COALESCE($4, error),
           submitted_at = CASE WHEN $1 = 'running' THEN $2 ELSE submitted_at END,
           ended_at = CASE WHEN $5 THEN $2 ELSE ended_at END
         WHERE id = $6 AND state = $7 RETURNING id`,
        [to, now, learnt?.providerJobId ?? null, learnt?.error ?? null, isTerminalProviderJob(to), id, from],
      );
      return rows.length > 0;
    },

    async getProviderJob(id) {
      const [row] = await query<Row<ProviderJobRow>>(pool, "SELECT * FROM provider_jobs WHERE id = $1", [id]);
      return row ? providerJobFromRow(row) : undefined;
    },

    async listProviderJobs(q) {
      const where: string[] = [];
      const args: unknown[] = [];
      if (q.states) where.push(`state IN (${sqlList(q.states)})`);
      if (q.route !== undefined) {
        args.push(q.route);
        where.push(`route = $${args.length}`);
      }
      args.push(q.limit);
      const rows = await query<Row<ProviderJobRow>>(
        pool,
        `SELECT * FROM provider_jobs ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
         ORDER BY created_at, id LIMIT $${args.length}`,
        args,
      );
      return rows.map(providerJobFromRow);
    },

    async readBoundRecords(id, afterId, limit) {
      const rows = await query<Row<{ id: string | number; job_id: string; attempt: number; body: string }>>(
        pool,
        `SELECT id, job_id, attempt, body FROM records
         WHERE provider_job_id = $1 AND state = 'running' AND lease_owner = $2 AND id > $3
         ORDER BY id LIMIT $4`,
        [id, providerJobOwner(id), afterId, limit],
      );
      return rows.map((r) => ({ id: num(r.id), jobId: r.job_id, attempt: r.attempt, body: r.body }));
    },

    async countBound(id) {
      const [row] = await query<Row<{ n: string | number }>>(
        pool,
        "SELECT count(*) AS n FROM records WHERE provider_job_id = $1 AND state = 'running' AND lease_owner = $2",
        [id, providerJobOwner(id)],
      );
      return row ? num(row.n) : 0;
    },

    async boundAttempts(id, recordIds) {
      if (recordIds.length === 0) return [];
      const rows = await query<Row<{ id: string | number; job_id: string; attempt: number }>>(
        pool,
        `SELECT id, job_id, attempt FROM records
         WHERE id = ANY($1::bigint[]) AND provider_job_id = $2 AND state = 'running' AND lease_owner = $3`,
        [recordIds, id, providerJobOwner(id)],
      );
      return rows.map((r) => ({ id: num(r.id), jobId: r.job_id, attempt: r.attempt }));
    },

    async writeProviderResults(id, results, now) {
      if (results.length === 0) return { written: 0, requeued: 0, refused: 0 };
      const params = providerResultsParams(id, results, now, providerJobOwner(id));
      const [row] = await transaction(pool, async (c) => {
        await c.query(PROVIDER_RESULTS_PLAN);
        return (
          await c.query<Row<{ written: string | number; requeued: string | number }>>(
            PROVIDER_RESULTS_SQL,
            params,
          )
        ).rows;
      });
      const written = row ? num(row.written) : 0;
      return { written, requeued: row ? num(row.requeued) : 0, refused: results.length - written };
    },

    async addProviderJobProgress(id, p, now) {
      await transaction(pool, async (c) => {
        await c.query(
          "UPDATE provider_jobs SET ingested = ingested + $1, requeued = requeued + $2, updated_at = $3 WHERE id = $4",
          [p.ingested, p.requeued, now, id],
        );
        for (const u of p.usage) {
          await c.query(
            `UPDATE provider_job_members SET succeeded = succeeded + $1, input_tokens = input_tokens + $2,
               output_tokens = output_tokens + $3 WHERE provider_job_id = $4 AND job_id = $5`,
            [u.succeeded, u.inputTokens, u.outputTokens, id, u.jobId],
          );
        }
      });
    },

    async countRunnable(route, now, cap) {
      const [row] = await query<Row<{ n: string | number }>>(
        pool,
        `SELECT count(*) AS n FROM (SELECT 1 FROM records r JOIN jobs j ON j.id = r.job_id
           WHERE r.route = $1 AND r.state = 'pending' AND r.run_at <= $2 AND j.status = 'in_progress' LIMIT $3) x`,
        [route, now, cap],
      );
      return row ? num(row.n) : 0;
    },

    async jobsWaitingOn(route, limit) {
      const rows = await query<
        Row<{ job_id: string; kind: string; n: string | number; expires_at: string | number | null }>
      >(
        pool,
        `SELECT r.job_id, j.kind, count(*) AS n, j.expires_at FROM records r JOIN jobs j ON j.id = r.job_id
         WHERE r.route = $1 AND r.state = 'pending' AND j.status = 'in_progress'
         GROUP BY r.job_id, j.kind, j.expires_at, j.seq ORDER BY j.seq LIMIT $2`,
        [route, limit],
      );
      return rows.map((r) => ({
        jobId: r.job_id,
        kind: jobKindOf(r.kind),
        pending: num(r.n),
        expiresAt: r.expires_at === null ? null : num(r.expires_at),
      }));
    },

    async rerouteRecords(jobId, fromRoute, toRoute) {
      const rows = await query(
        pool,
        "UPDATE records SET route = $1 WHERE job_id = $2 AND route = $3 AND state = 'pending' RETURNING id",
        [toRoute, jobId, fromRoute],
      );
      return rows.length;
    },

    async providerJobMembers(id) {
      const rows = await query<Row<{ job_id: string }>>(
        pool,
        "SELECT job_id FROM provider_job_members WHERE provider_job_id = $1 ORDER BY job_id",
        [id],
      );
      return rows.map((r) => r.job_id);
    },

    async providerJobsOfJob(jobId) {
      const rows = await query<
        Row<
          ProviderJobRow & {
            m_records: number;
            m_succeeded: number;
            m_in: string | number;
            m_out: string | number;
          }
        >
      >(
        pool,
        `SELECT p.*, m.records AS m_records, m.succeeded AS m_succeeded, m.input_tokens AS m_in,
           m.output_tokens AS m_out
         FROM provider_job_members m JOIN provider_jobs p ON p.id = m.provider_job_id
         WHERE m.job_id = $1 ORDER BY p.created_at, p.id`,
        [jobId],
      );
      return rows.map((r) => ({
        providerJob: providerJobFromRow(r),
        records: num(r.m_records),
        succeeded: num(r.m_succeeded),
        inputTokens: num(r.m_in),
        outputTokens: num(r.m_out),
      }));
    },
  };
}
