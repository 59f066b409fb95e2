import { isTerminalProviderJob, providerJobOwner } from "../../domain/provider-job.js";
import { BOUND_LEASE_UNTIL, type ProviderJobRow, providerJobFromRow } from "../provider-job-rows.js";
import type { BoundRecord, ProviderJobStore } from "../provider-job-store.js";
import { jobKindOf } from "../rows.js";
import { sqlList } from "../sql-list.js";
import type { SqliteDatabase } from "./sqlite-driver.js";

/**
 * Provider jobs on SQLite (ProviderJobStore, docs/provider-batch.md); ingest's result writes
 * are in sqlite-provider-results.ts (they need the job tallies of SqliteShared).
 */
export function sqliteProviderJobs(db: SqliteDatabase): Omit<ProviderJobStore, "writeProviderResults"> {
  const bind = db.prepare(
    `UPDATE records SET provider_job_id = ?, lease_until = ?
     WHERE id = ? AND attempt = ? AND state = 'running' AND lease_owner = ?
       AND EXISTS (SELECT 1 FROM provider_jobs p WHERE p.id = ? AND p.state = 'packing')`,
  );
  const addMember = db.prepare(
    `INSERT INTO provider_job_members (provider_job_id, job_id, records) VALUES (?, ?, ?)
     ON CONFLICT (provider_job_id, job_id) DO UPDATE SET records = records + excluded.records`,
  );
  const addSizes = db.prepare(
    "UPDATE provider_jobs SET records = records + ?, bytes = bytes + ?, estimated_tokens = estimated_tokens + ? WHERE id = ?",
  );
  const addUsage = db.prepare(
    `UPDATE provider_job_members SET succeeded = succeeded + ?, input_tokens = input_tokens + ?,
       output_tokens = output_tokens + ? WHERE provider_job_id = ? AND job_id = ?`,
  );
  const boundInRange = db.prepare<unknown[], { id: number; job_id: string; attempt: number }>(
    `SELECT id, job_id, attempt FROM records
     WHERE provider_job_id = ? AND state = 'running' AND lease_owner = ? AND id BETWEEN ? AND ?`,
  );
  return {
    async createProviderJob(j) {
      db.prepare(
        `INSERT INTO provider_jobs (id, route, model, endpoint, state, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'packing', ?, ?)`,
      ).run(j.id, j.route, j.model, j.endpoint, j.now, j.now);
    },

    async bindProviderJobRecords(id, held, sizes) {
      if (held.length === 0) return 0;
      const owner = providerJobOwner(id);
      return db
        .transaction(() => {
          const perJob = new Map<string, number>();
          for (const h of held) {
            if (bind.run(id, BOUND_LEASE_UNTIL, h.id, h.attempt, owner, id).changes === 0) continue;
            perJob.set(h.jobId, (perJob.get(h.jobId) ?? 0) + 1);
          }
          let bound = 0;
          for (const [jobId, n] of perJob) {
            addMember.run(id, jobId, n);
            bound += n;
          }
          addSizes.run(bound, sizes.bytes, sizes.estimatedTokens, id);
          return bound;
        })
        .immediate();
    },

    async moveProviderJob(id, from, to, now, learnt) {
      const r = db
        .prepare(
          `UPDATE provider_jobs SET state = ?, updated_at = ?,
             provider_job_id = COALESCE(?, provider_job_id), error = COALESCE(?, error),
             submitted_at = CASE WHEN ? = 'running' THEN ? ELSE submitted_at END,
             ended_at = CASE WHEN ? = 1 THEN ? ELSE ended_at END
           WHERE id = ? AND state = ?`,
        )
        .run(
          to,
          now,
          learnt?.providerJobId ?? null,
          learnt?.error ?? null,
          to,
          now,
          isTerminalProviderJob(to) ? 1 : 0,
          now,
          id,
          from,
        );
      return r.changes > 0;
    },

    async getProviderJob(id) {
      const row = db.prepare<[string], ProviderJobRow>("SELECT * FROM provider_jobs WHERE id = ?").get(id);
      return row ? providerJobFromRow(row) : undefined;
    },

    async listProviderJobs(q) {
      const where: string[] = [];
      const args: unknown[] = [];
      if (q.states) where.push(`state IN (${sqlList(q.states)})`);
      if (q.route !== undefined) {
        where.push("route = ?");
        args.push(q.route);
      }
      const sql = `SELECT * FROM provider_jobs ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
                   ORDER BY created_at, id LIMIT ?`;
      return (db.prepare(sql).all(...args, q.limit) as ProviderJobRow[]).map(providerJobFromRow);
    },

    async readBoundRecords(id, afterId, limit) {
      return db
        .prepare<unknown[], { id: number; job_id: string; attempt: number; body: string }>(
          `SELECT id, job_id, attempt, body FROM records
           WHERE provider_job_id = ? AND state = 'running' AND lease_owner = ? AND id > ?
           ORDER BY id LIMIT ?`,
        )
        .all(id, providerJobOwner(id), afterId, limit)
        .map((r): BoundRecord => ({ id: r.id, jobId: r.job_id, attempt: r.attempt, body: r.body }));
    },

    async countBound(id) {
      const row = db
        .prepare<[string, string], { n: number }>(
          "SELECT count(*) AS n FROM records WHERE provider_job_id = ? AND state = 'running' AND lease_owner = ?",
        )
        .get(id, providerJobOwner(id));
      return row?.n ?? 0;
    },

    async boundAttempts(id, recordIds) {
      if (recordIds.length === 0) return [];
      // One range scan of the job's bound records (results come about in id order), filtered here:
      // no statement per id and no parameter-count limit.
      let lo = Number.MAX_SAFE_INTEGER;
      let hi = 0;
      for (const r of recordIds) {
        if (r < lo) lo = r;
        if (r > hi) hi = r;
      }
      const wanted = new Set(recordIds);
      return boundInRange
        .all(id, providerJobOwner(id), lo, hi)
        .filter((r) => wanted.has(r.id))
        .map((r) => ({ id: r.id, jobId: r.job_id, attempt: r.attempt }));
    },

    async addProviderJobProgress(id, p, now) {
      db.transaction(() => {
        db.prepare(
          "UPDATE provider_jobs SET ingested = ingested + ?, requeued = requeued + ?, updated_at = ? WHERE id = ?",
        ).run(p.ingested, p.requeued, now, id);
        for (const u of p.usage) addUsage.run(u.succeeded, u.inputTokens, u.outputTokens, id, u.jobId);
      }).immediate();
    },

    async countRunnable(route, now, cap) {
      const row = db
        .prepare<unknown[], { n: number }>(
          `SELECT count(*) AS n FROM (SELECT 1 FROM records r JOIN jobs j ON j.id = r.job_id
             WHERE r.route = ? AND r.state = 'pending' AND r.run_at <= ? AND j.status = 'in_progress' LIMIT ?)`,
        )
        .get(route, now, cap);
      return row?.n ?? 0;
    },

    async jobsWaitingOn(route, limit) {
      return db
        .prepare<unknown[], { job_id: string; kind: string; n: number; expires_at: number | null }>(
          `SELECT r.job_id, j.kind, count(*) AS n, j.expires_at FROM records r JOIN jobs j ON j.id = r.job_id
           WHERE r.route = ? AND r.state = 'pending' AND j.status = 'in_progress'
           GROUP BY r.job_id, j.kind, j.expires_at, j.seq ORDER BY j.seq LIMIT ?`,
        )
        .all(route, limit)
        .map((r) => ({ jobId: r.job_id, kind: jobKindOf(r.kind), pending: r.n, expiresAt: r.expires_at }));
    },

    async rerouteRecords(jobId, fromRoute, toRoute) {
      return db
        .prepare("UPDATE records SET route = ? WHERE job_id = ? AND route = ? AND state = 'pending'")
        .run(toRoute, jobId, fromRoute).changes;
    },

    async providerJobMembers(id) {
      return db
        .prepare<[string], { job_id: string }>(
          "SELECT job_id FROM provider_job_members WHERE provider_job_id = ? ORDER BY job_id",
        )
        .all(id)
        .map((r) => r.job_id);
    },

    async providerJobsOfJob(jobId) {
      const rows = db
        .prepare<
          [string],
          ProviderJobRow & { m_records: number; m_succeeded: number; m_in: number; m_out: number }
        >(
          `SELECT p.*, m.records AS m_records, m.succeeded AS m_succeeded, m.input_tokens AS m_in,
             m.output_tokens AS m_out
           FROM provider_job_members m JOIN provider_jobs p ON p.id = m.provider_job_id
           WHERE m.job_id = ? ORDER BY p.created_at, p.id`,
        )
        .all(jobId);
      return rows.map((r) => ({
        providerJob: providerJobFromRow(r),
        records: r.m_records,
        succeeded: r.m_succeeded,
        inputTokens: r.m_in,
        outputTokens: r.m_out,
      }));
    },
  };
}
